//! The provider files compiled into the binary. A test fails when a file under `rules/` is
//! missing here.

pub static FILES: &[(&str, &str)] = &[
    ("icloud.yaml", include_str!("../../rules/icloud.yaml")),
    ("gmail.yaml", include_str!("../../rules/gmail.yaml")),
    ("outlook.yaml", include_str!("../../rules/outlook.yaml")),
    (
        "microsoft365.yaml",
        include_str!("../../rules/microsoft365.yaml"),
    ),
];
