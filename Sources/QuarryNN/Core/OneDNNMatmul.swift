import CDNNL
import Foundation

/// oneDNN matmul primitives, made once per product shape and kept: making one costs far more than running
/// it on the encoder's sizes. Calls take turns (one lock): oneDNN already spreads each product over every
/// core (OpenMP; `OMP_NUM_THREADS` sets how many).
///
/// bf16 products reorder both fp32 operands into bf16 buffers laid out as the primitive prefers (weights
/// pre-blocked for its kernel), then multiply with fp32 accumulation into the fp32 C.
final class OneDNNMatmul {
    /// The CPU engine, nil when oneDNN cannot make one (callers then use OpenBLAS).
    static let shared: OneDNNMatmul? = OneDNNMatmul()

    /// What decides a primitive: oneDNN bakes sizes, strides, alpha and beta in.
    struct Shape: Hashable {
        var transA: Bool, transB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int
        var alpha: Float, beta: Float, bf16: Bool
        /// Batched products (attention's heads): the outer batch sizes and each operand's element strides
        /// along them; empty for a single product.
        var batches: [Int] = [], aBatchStrides: [Int] = [], bBatchStrides: [Int] = [], cBatchStrides: [Int] = []
    }

    /// Primitives and descriptors for one shape.
    final class Plan {
        let matmul: dnnl_primitive_t
        let a: dnnl_memory_desc_t, b: dnnl_memory_desc_t, c: dnnl_memory_desc_t
        /// fp32 caller layout → `a`/`b`, for bf16 plans only.
        let reorderA: Reorder?, reorderB: Reorder?

        init(matmul: dnnl_primitive_t, a: dnnl_memory_desc_t, b: dnnl_memory_desc_t, c: dnnl_memory_desc_t,
             reorderA: Reorder?, reorderB: Reorder?) {
            self.matmul = matmul
            self.a = a; self.b = b; self.c = c
            self.reorderA = reorderA; self.reorderB = reorderB
        }
        deinit { dnnl_primitive_destroy(matmul) }
    }

    /// A reorder primitive from the caller's fp32 matrix to the bf16 layout a plan wants.
    final class Reorder {
        let primitive: dnnl_primitive_t
        let source: dnnl_memory_desc_t
        /// Bytes of the bf16 result.
        let bytes: Int

        init(primitive: dnnl_primitive_t, source: dnnl_memory_desc_t, bytes: Int) {
            self.primitive = primitive; self.source = source; self.bytes = bytes
        }
        deinit { dnnl_primitive_destroy(primitive) }
    }

    private let engine: dnnl_engine_t
    private let stream: dnnl_stream_t
    private let lock = NSLock()
    /// nil for a shape oneDNN has no implementation of.
    private var plans: [Shape: Plan?] = [:]
    /// Shapes vary with batch length; past this many the cache starts over rather than grow without end.
    private let maxPlans = 2048
    /// bf16 operand buffers, grown as needed and reused by every plan.
    private var bufferA = Buffer(), bufferB = Buffer()

    private init?() {
        var engine: dnnl_engine_t?
        guard dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success, let engine else { return nil }
        var stream: dnnl_stream_t?
        guard dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue) == dnnl_success, let stream else {
            dnnl_engine_destroy(engine)
            return nil
        }
        self.engine = engine
        self.stream = stream
    }

    /// Runs C = alpha · op(A) · op(B) + beta · C; false when oneDNN has no implementation for `shape`.
    func run(_ shape: Shape, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let plan = plan(for: shape) else { return false }
        var aHandle = UnsafeMutableRawPointer(mutating: a), bHandle = UnsafeMutableRawPointer(mutating: b)
        if let reorder = plan.reorderA {
            aHandle = bufferA.reserve(reorder.bytes)
            guard execute(reorder.primitive, [(DNNL_ARG_SRC_0, reorder.source, UnsafeMutableRawPointer(mutating: a)),
                                              (DNNL_ARG_DST_0, plan.a, aHandle)]) else { return false }
        }
        if let reorder = plan.reorderB {
            bHandle = bufferB.reserve(reorder.bytes)
            guard execute(reorder.primitive, [(DNNL_ARG_SRC_0, reorder.source, UnsafeMutableRawPointer(mutating: b)),
                                              (DNNL_ARG_DST_0, plan.b, bHandle)]) else { return false }
        }
        return execute(plan.matmul, [(DNNL_ARG_SRC_0, plan.a, aHandle), (DNNL_ARG_WEIGHTS_0, plan.b, bHandle),
                                     (DNNL_ARG_DST_0, plan.c, UnsafeMutableRawPointer(c))])
    }

    /// Wraps each pointer in a memory object of its descriptor and runs `primitive` to completion.
    private func execute(_ primitive: dnnl_primitive_t,
                         _ operands: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)]) -> Bool {
        var args: [dnnl_exec_arg_t] = []
        defer { for arg in args { dnnl_memory_destroy(arg.memory) } }
        for (kind, desc, pointer) in operands {
            var memory: dnnl_memory_t?, desc = desc
            guard dnnl_memory_create(&memory, &desc, engine, pointer) == dnnl_success, let memory else { return false }
            args.append(dnnl_exec_arg_t(arg: kind, memory: memory))
        }
        guard dnnl_primitive_execute(primitive, stream, Int32(args.count), args) == dnnl_success else { return false }
        return dnnl_stream_wait(stream) == dnnl_success
    }

    private func plan(for shape: Shape) -> Plan? {
        if let known = plans[shape] { return known }
        if plans.count >= maxPlans { plans.removeAll() }
        let made = makePlan(shape)
        plans[shape] = made
        return made
    }

    private func makePlan(_ s: Shape) -> Plan? {
        // Caller layouts, row-major with leading dimensions; a transposed operand is the same storage read
        // with swapped strides.
        let outer = s.batches
        guard let a32 = Self.matrix(outer + [s.m, s.k], strides: s.aBatchStrides + (s.transA ? [1, s.lda] : [s.lda, 1])),
              let b32 = Self.matrix(outer + [s.k, s.n], strides: s.bBatchStrides + (s.transB ? [1, s.ldb] : [s.ldb, 1])),
              var c = Self.matrix(outer + [s.m, s.n], strides: s.cBatchStrides + [s.ldc, 1]) else { return nil }
        // bf16 operands are ours to lay out: let the primitive choose (weights blocked for its kernel).
        guard var a = s.bf16 ? Self.anyLayout(outer + [s.m, s.k]) : a32,
              var b = s.bf16 ? Self.anyLayout(outer + [s.k, s.n]) : b32 else { return nil }
        var desc = dnnl_matmul_desc_t()
        guard dnnl_matmul_desc_init(&desc, &a, &b, nil, &c) == dnnl_success else { return nil }
        guard let attributes = Self.attributes(alpha: s.alpha, beta: s.beta) else { return nil }
        defer { dnnl_primitive_attr_destroy(attributes) }
        var pd: dnnl_primitive_desc_t?
        guard dnnl_primitive_desc_create(&pd, &desc, attributes, engine, nil) == dnnl_success, let pd else { return nil }
        defer { dnnl_primitive_desc_destroy(pd) }
        var reorderA: Reorder?, reorderB: Reorder?
        if s.bf16 {
            guard let chosenA = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0)?.pointee,
                  let chosenB = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0)?.pointee else { return nil }
            a = chosenA; b = chosenB
            guard let ra = reorder(from: a32, to: a), let rb = reorder(from: b32, to: b) else { return nil }
            reorderA = ra; reorderB = rb
        }
        var matmul: dnnl_primitive_t?
        guard dnnl_primitive_create(&matmul, pd) == dnnl_success, let matmul else { return nil }
        return Plan(matmul: matmul, a: a, b: b, c: c, reorderA: reorderA, reorderB: reorderB)
    }

    private func reorder(from source: dnnl_memory_desc_t, to target: dnnl_memory_desc_t) -> Reorder? {
        var source = source, target = target
        var pd: dnnl_primitive_desc_t?
        guard dnnl_reorder_primitive_desc_create(&pd, &source, engine, &target, engine, nil) == dnnl_success,
              let pd else { return nil }
        defer { dnnl_primitive_desc_destroy(pd) }
        var primitive: dnnl_primitive_t?
        guard dnnl_primitive_create(&primitive, pd) == dnnl_success, let primitive else { return nil }
        return Reorder(primitive: primitive, source: source, bytes: dnnl_memory_desc_get_size(&target))
    }

    /// An fp32 array of `dims` (batch sizes, then rows and columns) with the given element strides.
    private static func matrix(_ dims: [Int], strides: [Int]) -> dnnl_memory_desc_t? {
        var desc = dnnl_memory_desc_t()
        return dnnl_memory_desc_init_by_strides(&desc, Int32(dims.count), dims.map(Int64.init), dnnl_f32,
                                                strides.map(Int64.init)) == dnnl_success ? desc : nil
    }

    /// A bf16 array of `dims` in whatever layout the primitive prefers.
    private static func anyLayout(_ dims: [Int]) -> dnnl_memory_desc_t? {
        var desc = dnnl_memory_desc_t()
        return dnnl_memory_desc_init_by_tag(&desc, Int32(dims.count), dims.map(Int64.init), dnnl_bf16,
                                            dnnl_format_tag_any) == dnnl_success ? desc : nil
    }

    /// alpha as an output scale, beta as a sum post-op (oneDNN applies them in that order, as gemm does).
    private static func attributes(alpha: Float, beta: Float) -> dnnl_primitive_attr_t? {
        var made: dnnl_primitive_attr_t?
        guard dnnl_primitive_attr_create(&made) == dnnl_success, let attributes = made else { return nil }
        var ok = true
        if alpha != 1 {
            var scale = alpha
            ok = ok && dnnl_primitive_attr_set_output_scales(attributes, 1, 0, &scale) == dnnl_success
        }
        if beta != 0 {
            var postOps: dnnl_post_ops_t?
            ok = ok && dnnl_post_ops_create(&postOps) == dnnl_success
            if let postOps {
                ok = ok && dnnl_post_ops_append_sum(postOps, beta) == dnnl_success
                ok = ok && dnnl_primitive_attr_set_post_ops(attributes, postOps) == dnnl_success
                dnnl_post_ops_destroy(postOps)
            }
        }
        if !ok { dnnl_primitive_attr_destroy(attributes) }
        return ok ? attributes : nil
    }
}

/// A raw allocation that only grows, 64-byte aligned.
private struct Buffer {
    private(set) var pointer: UnsafeMutableRawPointer?
    private var capacity = 0

    mutating func reserve(_ bytes: Int) -> UnsafeMutableRawPointer {
        if let pointer, capacity >= bytes { return pointer }
        pointer?.deallocate()
        capacity = max(bytes, capacity * 3 / 2)
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1), alignment: 64)
        pointer = fresh
        return fresh
    }
}
