//! `jsonl` source (stub, to be written): the echoscope JSONL format, one post per line.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Batch, Limits, SourceError};
use crate::model::{Platform, Post, PostKind};

/// One line of echoscope JSONL (and one row of echoscope CSV): format version 1, described by
/// `src/schema/post.v1.json`. The first five fields are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub account: String,
    pub platform: String,
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PostKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to_account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to_created_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl Record {
    /// The record for one post of an account (what `echoscope export` and the store write).
    pub fn from_post(account: &str, platform: Platform, post: &Post) -> Record {
        Record {
            account: account.to_string(),
            platform: platform.as_str().to_string(),
            id: post.id.clone(),
            created_at: post.created_at,
            text: post.text.clone(),
            kind: Some(post.kind),
            reply_to_id: post.reply_to_id.clone(),
            reply_to_account: post.reply_to_account.clone(),
            reply_to_created_at: post.reply_to_created_at,
            client: post.client.clone(),
            links: post.links.clone(),
            lang: post.lang.clone(),
        }
    }
}

/// Reads one input of this format.
pub fn read(path: &Path, _limits: &Limits) -> Result<Batch, SourceError> {
    Err(SourceError::UnknownFormat {
        path: path.to_path_buf(),
        reason: "jsonl not written yet".into(),
    })
}
