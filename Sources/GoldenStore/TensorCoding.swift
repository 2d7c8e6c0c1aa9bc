import Foundation
@_spi(Kernels) import LossSpec

/// The byte encoding of tensor data: row-major, 8 bytes per element, little-endian
/// (IEEE-754 binary64 for float64, two's complement for int64).
enum TensorCoding {
    // The stored layout is the in-memory layout of [Double]/[Int64] on a little-endian host, so
    // encoding and decoding are plain copies.
    #if _endian(big)
    #error("TensorCoding assumes a little-endian host; add byte swapping for big-endian targets")
    #endif

    /// Every NaN is stored as the canonical quiet NaN (0x7FF8000000000000): the sign and payload
    /// of a NaN depend on the instruction or constant fold that produced it (x86 SSE yields −NaN,
    /// an optimised build may fold to +NaN), and they carry no meaning here. Canonical NaNs keep the
    /// content digest identical across build configurations and machines.
    static func bytes(_ value: TensorValue) -> Data {
        switch value {
        case .float64(let t):
            guard t.scalars.contains(where: \.isNaN) else { return t.scalars.withUnsafeBytes { Data($0) } }
            let canonical = t.scalars.map { $0.isNaN ? Double(bitPattern: 0x7FF8_0000_0000_0000) : $0 }
            return canonical.withUnsafeBytes { Data($0) }
        case .int64(let t): return t.scalars.withUnsafeBytes { Data($0) }
        }
    }

    static func decode(dtype: String, shape: String, data: Data, role: String) throws -> TensorValue {
        guard case .array(let sizes)? = try? JSONValue.parse(Data(shape.utf8)) else {
            throw LossError(.shapeMismatch, argument: role, "shape \(shape) is not a JSON array")
        }
        let dims = try sizes.map { v -> Int in
            guard let d = v.doubleValue, d >= 0, d == d.rounded(), d < 1e15 else {
                throw LossError(.shapeMismatch, argument: role, "shape \(shape) has an entry that is not a size")
            }
            return Int(d)
        }
        guard let count = Shape.countIfRepresentable(dims), count.multipliedReportingOverflow(by: 8).partialValue == data.count,
              !count.multipliedReportingOverflow(by: 8).overflow else {
            throw LossError(.shapeMismatch, argument: role, "\(data.count) data bytes do not hold shape \(shape) at 8 bytes per element")
        }
        switch dtype {
        case "float64":
            var values = [Double](repeating: 0, count: count)
            _ = values.withUnsafeMutableBytes { data.copyBytes(to: $0) }
            return .float64(Tensor(shape: dims, scalars: values))
        case "int64":
            var values = [Int64](repeating: 0, count: count)
            _ = values.withUnsafeMutableBytes { data.copyBytes(to: $0) }
            return .int64(Tensor(shape: dims, scalars: values))
        default:
            throw LossError(.invalidValue, argument: role, "dtype '\(dtype)' is not float64 or int64")
        }
    }
}
