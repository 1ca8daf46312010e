mod golden;
mod quality;
