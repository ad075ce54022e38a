/// mimalloc: a run allocates and frees many small strings and maps; glibc's malloc and free were about a quarter
/// of `generate --check`'s instructions (BENCHMARKS.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    hagen::cli::run()
}
