// Building the model of a large configuration makes millions of small
// allocations; mimalloc serves them with fewer page faults than the system
// allocator (measured by bench/run).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in the options enum of the mimalloc sources that
/// libmimalloc-sys vendors (include/mimalloc.h); the test below checks that
/// this index holds an option with purge_delay's default there (src/options.c:
/// 1000 ms).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Give freed memory back after 5 ms instead of a second: the parse's
    // temporary buffers are freed right before the model is built, and
    // without this they would still count in the peak memory.
    // SAFETY: mi_option_set only stores an integer in mimalloc's option table.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 5) };
    haplint::cli::main()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // SAFETY: reads an integer from mimalloc's option table.
        let value = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(value, 1000);
    }
}
