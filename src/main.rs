// Building the model of a large configuration makes millions of small
// allocations; mimalloc serves them with fewer page faults than the system
// allocator (measured by bench/run). Its default purge delay (memory freed
// goes back to the system after a second) is kept: memory freed by one stage
// of a check is reused by the next instead of being faulted in again.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    haplint::cli::main()
}
