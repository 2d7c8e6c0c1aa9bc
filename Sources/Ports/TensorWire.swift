import Foundation
@_spi(Kernels) import LossSpec

/// Tensors on the port protocol's wire: `{"dtype", "shape", "data"}` with `data` the base64 of
/// the little-endian element bytes, so NaN payloads, ±inf, −0 and subnormals arrive bit-exact
/// (JSON numbers cannot carry them). Ports/README.md is the contract.
package enum TensorWire {
    package struct Malformed: Error, CustomStringConvertible {
        package var description: String
    }

    package static func encode(_ t: TensorValue) -> JSONValue {
        let (dtype, shape, bytes): (String, [Int], Data) = switch t {
        case .float64(let x): ("float64", x.shape, x.scalars.withUnsafeBufferPointer { Data(buffer: $0) })
        case .int64(let x): ("int64", x.shape, x.scalars.withUnsafeBufferPointer { Data(buffer: $0) })
        }
        return .object(["dtype": .string(dtype), "shape": .array(shape.map { JSONValue(exactly: Int64($0)) }),
                        "data": .string(bytes.base64EncodedString())])
    }

    /// A reply tensor as Doubles. Float dtypes of any width are widened exactly.
    package static func decode(_ value: JSONValue, role: String) throws -> Tensor<Double> {
        guard case .object(let o) = value, case .string(let dtype)? = o["dtype"], case .array(let s)? = o["shape"],
              case .string(let b64)? = o["data"] else {
            throw Malformed(description: "\(role): a tensor is {\"dtype\", \"shape\", \"data\" (base64)}")
        }
        let shape = try s.map { v -> Int in
            guard let n = v.int64Value, n >= 0, n < 1 << 40 else { throw Malformed(description: "\(role): bad shape entry \(v.serialized())") }
            return Int(n)
        }
        guard let data = Data(base64Encoded: b64) else { throw Malformed(description: "\(role): data is not base64") }
        guard let count = Shape.countIfRepresentable(shape), count <= Shape.maximumMaterializedElements else {
            throw Malformed(description: "\(role): shape \(shape) is too large")
        }
        let width: Int
        switch dtype {
        case "float64", "int64": width = 8
        case "float32": width = 4
        case "float16", "bfloat16": width = 2
        default: throw Malformed(description: "\(role): dtype '\(dtype)' is not float64, float32, float16, bfloat16 or int64")
        }
        guard data.count == count * width else {
            throw Malformed(description: "\(role): \(data.count) bytes do not hold shape \(shape) of \(dtype)")
        }
        let scalars: [Double] = data.withUnsafeBytes { raw in
            (0..<count).map { i -> Double in
                switch dtype {
                case "float64": Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))
                case "int64": Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)))
                case "float32": Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))))
                case "bfloat16":
                    Double(Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16))
                default: halfToDouble(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
                }
            }
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// IEEE binary16 → Double, exactly (Float16 is unavailable on some platforms).
    static func halfToDouble(_ h: UInt16) -> Double {
        let sign: Double = h & 0x8000 != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F), fraction = Double(h & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
