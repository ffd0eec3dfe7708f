use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = kehu::cli::parse();
    match kehu::cli::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => ExitCode::from(kehu::cli::report(&err)),
    }
}
