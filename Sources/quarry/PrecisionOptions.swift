import ArgumentParser
import QuarryModels
import QuarryNN

extension Precision: ExpressibleByArgument {}

/// `--precision`, shared by every command that runs the encoder (encode, embed, ask, eval, train).
struct PrecisionOptions: ParsableArguments {
    @Option(help: """
        Input format of the encoder's matrix products: fp32 or bf16 (sums stay fp32). Default: bf16 where \
        the CPU multiplies it faster than fp32 (avx512_bf16 on AMD, or AMX), else fp32.
        """)
    var precision: Precision?

    /// Sets the precision every encoder of this run starts with, and says on stderr (unless `quiet`) when
    /// the default falls back to fp32 or an asked-for bf16 is not native to the CPU.
    @discardableResult
    func apply(quiet: Bool = false) -> Precision {
        let chosen = precision ?? Precision.fastest
        if !quiet, precision == nil, let reason = Precision.reasonForFP32 {
            StandardError.write("note: \(reason), so the encoder runs in fp32 (--precision bf16 to force it)\n")
        } else if !quiet, chosen == .bf16, !Precision.cpuHasNativeBF16 {
            StandardError.write("note: this CPU has no avx512_bf16; bf16 products are emulated and slower than fp32\n")
        }
        BertEncoder.defaultPrecision = chosen
        return chosen
    }
}
