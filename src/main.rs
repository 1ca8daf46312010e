//! The `echoscope` binary: parses the command line and hands over to [`echoscope::cli`].

fn main() {
    std::process::exit(echoscope::cli::main());
}
