import ArgumentParser
import QuarryModels
import QuarryNN

extension Precision: ExpressibleByArgument {}

/// `--precision`, shared by every command that runs the encoder (encode, embed, ask, eval, train).
struct PrecisionOptions: ParsableArguments {
    @Option(help: """
        Input format of the encoder's matrix products: fp32 or bf16 (sums stay fp32). Default: bf16 where \
        the CPU has avx512_bf16, else fp32.
        """)
    var precision: Precision?

    /// Sets the precision every encoder of this run starts with, and says on stderr (unless `quiet`) when
    /// the default falls back to fp32 or an asked-for bf16 is not native to the CPU.
    @discardableResult
    func apply(quiet: Bool = false) -> Precision {
        let chosen = precision ?? Precision.fastest
        if !quiet && !Precision.cpuHasNativeBF16 {
            if precision == nil {
                StandardError.write("note: this CPU has no avx512_bf16, so the encoder runs in fp32\n")
            } else if chosen == .bf16 {
                StandardError.write("note: this CPU has no avx512_bf16; bf16 products are emulated and slower than fp32\n")
            }
        }
        BertEncoder.defaultPrecision = chosen
        return chosen
    }
}
