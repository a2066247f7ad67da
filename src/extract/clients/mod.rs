//! Client programs: each turns the values its syntax readers found into [`crate::model::Profile`]s,
//! the way that program reads them, whichever file syntax fed it.

pub mod defined;
pub mod django;
pub mod env_families;
pub mod env_generic;
pub mod env_url;
pub mod flask_mail;
pub mod host_field;
pub mod laravel;
pub mod nextcloud;
pub mod nodemailer;
pub mod phpmailer;
pub mod rails;
pub mod reads;
pub mod smtplib;
pub mod spelling;
pub mod symfony;
pub mod thunderbird;
pub mod toml_app;
pub mod wordpress;
