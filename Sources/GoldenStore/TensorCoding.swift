import Foundation
import LossSpec

/// The byte encoding of tensor data: row-major, 8 bytes per element, little-endian
/// (IEEE-754 binary64 for float64, two's complement for int64).
enum TensorCoding {
    static func bytes(_ value: TensorValue) -> Data {
        var data = Data(capacity: value.count * 8)
        switch value {
        case .float64(let t):
            for x in t.scalars { withUnsafeBytes(of: x.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        case .int64(let t):
            for x in t.scalars { withUnsafeBytes(of: x.littleEndian) { data.append(contentsOf: $0) } }
        }
        return data
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
        var words = [UInt64](repeating: 0, count: count)
        _ = words.withUnsafeMutableBytes { dst in data.copyBytes(to: dst.bindMemory(to: UInt8.self)) }
        switch dtype {
        case "float64":
            return .float64(Tensor(shape: dims, scalars: words.map { Double(bitPattern: UInt64(littleEndian: $0)) }))
        case "int64":
            return .int64(Tensor(shape: dims, scalars: words.map { Int64(bitPattern: UInt64(littleEndian: $0)) }))
        default:
            throw LossError(.invalidValue, argument: role, "dtype '\(dtype)' is not float64 or int64")
        }
    }
}
