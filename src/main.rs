// Building the model of a large configuration makes millions of small
// allocations; mimalloc serves them with fewer page faults than the system
// allocator (measured by bench/run).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    haplint::cli::main()
}
