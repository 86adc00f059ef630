//! Turning command-line paths into a list of input files.

use crate::SourceError;
use std::path::{Path, PathBuf};

/// The record format of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
    Text,
}

impl Format {
    /// The format implied by a file name: `.jsonl`, `.ndjson` and `.json`
    /// are JSON Lines, `.csv` is CSV, anything else is plain text.
    pub fn from_path(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("jsonl" | "ndjson" | "json") => Format::Jsonl,
            Some("csv") => Format::Csv,
            _ => Format::Text,
        }
    }

    /// Guesses the format of a stream from its first bytes: an object start
    /// means JSON Lines, anything else plain text. CSV must be named.
    pub fn sniff(head: &[u8]) -> Format {
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Format::Jsonl,
            _ => Format::Text,
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" | "json" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            "text" | "txt" => Ok(Format::Text),
            other => Err(format!(
                "unknown format `{other}`: expected jsonl, csv or text"
            )),
        }
    }
}

/// An input file to read, or standard input when `path` is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    pub path: Option<PathBuf>,
    /// `None` means: decide from the file name, or sniff standard input.
    pub format: Option<Format>,
}

impl InputFile {
    pub fn name(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "<stdin>".to_owned(), |p| p.display().to_string())
    }
}

/// Expands paths into files: `-` is standard input, folders are walked
/// recursively in name order (hidden entries skipped), files are taken as
/// given. A path that does not exist is an error that names it.
pub fn discover(paths: &[PathBuf], format: Option<Format>) -> Result<Vec<InputFile>, SourceError> {
    let mut files = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            files.push(InputFile { path: None, format });
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|error| SourceError::Io {
            source_name: path.display().to_string(),
            error,
        })?;
        if meta.is_dir() {
            walk(path, format, &mut files)?;
        } else {
            files.push(InputFile {
                path: Some(path.clone()),
                format,
            });
        }
    }
    Ok(files)
}

fn walk(dir: &Path, format: Option<Format>, files: &mut Vec<InputFile>) -> Result<(), SourceError> {
    let io_error = |error| SourceError::Io {
        source_name: dir.display().to_string(),
        error,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io_error)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io_error)?;
    entries.sort();
    for entry in entries {
        let hidden = entry
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if entry.is_dir() {
            walk(&entry, format, files)?;
        } else {
            files.push(InputFile {
                path: Some(entry),
                format,
            });
        }
    }
    Ok(())
}
