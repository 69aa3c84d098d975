//! `cargo xtask codes`: write only the fixed input and output codes (architecture `codes` of
//! docs/network-format.md), so a network can be trained against them in any framework and
//! written back as a `free` or `tied` file with the same code tensors.

use superposition_core::network::file::codes_file;

use crate::export::{describe, provenance};
use crate::flags;

/// Runs the command.
pub fn run(flags: flags::Codes) -> Result<(), String> {
    let outputs = flags.outputs.unwrap_or(flags.inputs);
    let input = (flags.input_width.unwrap_or(flags.width), flags.t);
    let output = (flags.width, flags.t_out.unwrap_or(flags.t));
    let file = codes_file(
        flags.inputs,
        outputs,
        input,
        output,
        flags.seed,
        flags.k,
        provenance(flags.seed),
    )
    .map_err(|e| e.to_string())?;
    let bytes = file.to_bytes().map_err(|e| e.to_string())?;
    std::fs::write(&flags.out, &bytes).map_err(|e| format!("{}: {e}", flags.out.display()))?;
    println!("{}", describe(&flags.out, &file, bytes.len()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use superposition_core::network::file::{Architecture, NetworkFile};

    #[test]
    fn codes_are_written_and_bad_shapes_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("codes.safetensors");
        let flags = |t: usize, out: &std::path::Path| flags::Codes {
            inputs: 50,
            outputs: Some(30),
            width: 40,
            input_width: None,
            t,
            t_out: None,
            seed: 2,
            k: 4,
            out: out.to_path_buf(),
        };
        run(flags(4, &out)).unwrap();
        let file = NetworkFile::read(&out).unwrap();
        assert_eq!(file.header().architecture, Architecture::Codes);
        assert_eq!((file.input_code().features(), file.output_code().features()), (50, 30));
        assert_eq!((file.input_code().width(), file.input_code().t()), (40, 4));
        let err = run(flags(41, &out)).unwrap_err();
        assert!(err.contains("t_in = 41: must be in 1..=40"), "{err}");
        let err = run(flags(0, &out)).unwrap_err();
        assert!(err.contains("t_in = 0"), "{err}");
    }
}
