import Testing
@_spi(Kernels) @testable import LossSpec

@Suite struct ShapeTests {
    @Test(arguments: [
        ([[2, 3], [3]], [2, 3]),
        ([[5, 2], [5, 1], [1, 2]], [5, 2]),
        ([[], [4]], [4]),
        ([[0, 3], [1, 3]], [0, 3]),
        ([[2, 1, 4], [3, 1]], [2, 3, 4]),
    ])
    func broadcastShape(shapes: [[Int]], expected: [Int]) throws {
        #expect(try Shape.broadcast(shapes.enumerated().map { ("a\($0.offset)", $0.element) }) == expected)
    }

    @Test func nonBroadcastableShapesNameTheArgument() {
        #expect {
            try Shape.broadcast([("input", [2, 3]), ("target", [4])])
        } throws: { error in
            guard let e = error as? LossError else { return false }
            return e.kind == .shapeMismatch && e.argument == "target" && e.message.contains("dimension 1")
        }
    }

    @Test func broadcastIndicesReadTheRightSourceElements() {
        // (2,1) broadcast to (2,3): rows repeat their single element.
        #expect(Shape.broadcastIndices(from: [2, 1], to: [2, 3]) == [0, 0, 0, 1, 1, 1])
        // (3) broadcast to (2,3): columns repeat.
        #expect(Shape.broadcastIndices(from: [3], to: [2, 3]) == [0, 1, 2, 0, 1, 2])
        // 0-dim broadcasts everywhere.
        #expect(Shape.broadcastIndices(from: [], to: [2, 2]) == [0, 0, 0, 0])
        #expect(Shape.broadcastIndices(from: [1, 3, 1], to: [2, 3, 2]) == [0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2])
    }

    @Test func stridesAreRowMajor() {
        #expect(Shape.strides([2, 3, 4]) == [12, 4, 1])
        #expect(Shape.strides([]) == [])
    }

    @Test func validatingTensorRejectsWrongCounts() {
        #expect(throws: LossError.self) { try Tensor<Double>(validating: [2, 2], scalars: [1, 2, 3], argument: "input") }
        #expect(throws: LossError.self) { try Tensor<Double>(validating: [-1], scalars: [], argument: "input") }
        #expect((try? Tensor<Double>(validating: [0, 5], scalars: [], argument: "input")) != nil)
    }
}
