#[path = "it/layout.rs"]
mod layout;
