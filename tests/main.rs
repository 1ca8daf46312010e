mod twitter_archive;
