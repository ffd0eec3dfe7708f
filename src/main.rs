use std::process::ExitCode;

// An import hands millions of small strings from the reading thread to the writing one, which
// frees them; the system allocator spent about a seventh of the writer's time on that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = kehu::cli::parse();
    match kehu::cli::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => ExitCode::from(kehu::cli::report(&err)),
    }
}
