//! The embedding examples in `bake-cli/examples/` run here and their output is snapshotted;
//! `.ci/run` also runs each with `cargo run --example`.

#[allow(dead_code)]
#[path = "../examples/list_projects.rs"]
mod list_projects;

#[allow(dead_code)]
#[path = "../examples/override_and_print.rs"]
mod override_and_print;

#[allow(dead_code)]
#[path = "../examples/plan_with_events.rs"]
mod plan_with_events;

#[test]
fn list_projects_example() {
    insta::assert_snapshot!(list_projects::run());
}

#[test]
fn override_and_print_example() {
    insta::assert_snapshot!(override_and_print::run());
}

#[test]
fn plan_with_events_example() {
    insta::assert_snapshot!(plan_with_events::run());
}
