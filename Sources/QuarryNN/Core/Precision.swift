import CDNNL
import Foundation

/// The number format of matrix-product inputs. Products always accumulate and return fp32; everything
/// else (layer norm, softmax, losses, weights, optimiser state) stays fp32 whichever is chosen.
public enum Precision: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case fp32, bf16

    public var description: String { rawValue }

    /// Whether the CPU multiplies bf16 natively (avx512_bf16), as oneDNN sees it. Without it oneDNN
    /// emulates bf16, slower than fp32.
    public static let cpuHasNativeBF16: Bool = isaIncludes(dnnl_cpu_isa_avx512_core_bf16)

    /// Whether bf16 products outrun fp32 ones here: with AMX tiles, or on AMD CPUs with avx512_bf16 (which
    /// run bf16 dot products at twice the rate of fp32 FMAs). Intel CPUs with avx512_bf16 but no AMX issue
    /// one bf16 dot product per cycle against two fp32 FMAs, so bf16 gains nothing there and its
    /// conversions cost (measured 0.8x of fp32 end to end, BENCHMARKS.md).
    public static let bf16IsFaster: Bool =
        isaIncludes(dnnl_cpu_isa_avx512_core_amx) || (cpuHasNativeBF16 && cpuVendor == "AuthenticAMD")

    /// bf16 where it is native and faster than fp32, else fp32.
    public static var fastest: Precision { bf16IsFaster ? .bf16 : .fp32 }

    /// Why `fastest` is fp32 here, for a one-line note; nil when it is bf16.
    public static var reasonForFP32: String? {
        if bf16IsFaster { return nil }
        if !cpuHasNativeBF16 { return "this CPU has no avx512_bf16" }
        return "this CPU has avx512_bf16 but no AMX, where bf16 products are no faster than fp32"
    }

    private static func isaIncludes(_ isa: dnnl_cpu_isa_t) -> Bool {
        dnnl_get_effective_cpu_isa().rawValue & isa.rawValue == isa.rawValue
    }

    /// The `vendor_id` of /proc/cpuinfo (nil where there is none).
    private static let cpuVendor: String? = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("vendor_id") }),
              let value = line.split(separator: ":").last else { return nil }
        return value.trimmingCharacters(in: .whitespaces)
    }()
}
