//! Overrides a variable and a target field from code and prints the resolved definition as
//! JSON: `cargo run -p bake-cli --example override_and_print`.

use std::collections::BTreeMap;

use bake_core::api::Bake;

const HCL: &str = r#"
variable "TAG" {
  default = "dev"
}

target "app" {
  tags      = ["acme/app:${TAG}"]
  platforms = ["linux/amd64"]
}
"#;

/// What the example prints.
pub(crate) fn run() -> String {
    let project = Bake::new("/src")
        .frontend(bake_compose::ComposeFrontend)
        .frontend(bake_hcl::HclFrontend)
        .env(BTreeMap::from([(
            "TAG".to_string(),
            "from-env".to_string(),
        )]))
        // --var beats the environment.
        .var("TAG", "1.2.3")
        .source("docker-bake.hcl", HCL)
        .load()
        .expect("the example file loads");
    let resolved = project
        .resolve(
            &["app".to_string()],
            &["app.platform=linux/arm64".to_string()],
        )
        .expect("app resolves");
    // Target, Group and Resolved serialize to the --print JSON.
    let mut out = serde_json::to_string_pretty(&resolved).expect("serializable");
    out.push('\n');
    out
}

fn main() {
    print!("{}", run());
}
