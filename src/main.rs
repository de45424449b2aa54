fn main() -> std::process::ExitCode {
    haplint::cli::main()
}
