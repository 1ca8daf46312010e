
mod golden;
mod quality;
