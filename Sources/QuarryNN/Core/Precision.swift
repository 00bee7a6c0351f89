import CDNNL

/// The number format of matrix-product inputs. Products always accumulate and return fp32; everything
/// else (layer norm, softmax, losses, weights, optimiser state) stays fp32 whichever is chosen.
public enum Precision: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case fp32, bf16

    public var description: String { rawValue }

    /// Whether the CPU multiplies bf16 natively (avx512_bf16), as oneDNN sees it. Without it oneDNN
    /// emulates bf16, slower than fp32, so it is no default there.
    public static let cpuHasNativeBF16: Bool = {
        let wanted = dnnl_cpu_isa_avx512_core_bf16.rawValue
        return dnnl_get_effective_cpu_isa().rawValue & wanted == wanted
    }()

    /// bf16 where the CPU has it natively, else fp32.
    public static var fastest: Precision { cpuHasNativeBF16 ? .bf16 : .fp32 }
}
