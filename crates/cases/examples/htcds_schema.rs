//! Prints the published HTCDS case-document schema (what `ctip schema htcds`
//! prints): `cargo run -p ctip-cases --example htcds_schema`.

fn main() {
    let schema = ctip_cases::htcds_json_schema();
    match serde_json::to_string_pretty(&schema) {
        Ok(text) => println!("{text}"),
        Err(error) => eprintln!("cannot print the schema: {error}"),
    }
}
