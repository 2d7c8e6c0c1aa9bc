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

    /// Hostile shapes: an empty tensor whose other sizes multiply past Int.max is still empty, in
    /// any order of its sizes, and broadcasting it neither traps nor claims elements it does not have.
    @Test func hugeSizesBesideAZeroAreEmptyAndNeverTrap() throws {
        let huge = 100_000_000_000_000
        for shape in [[0, huge, huge], [huge, huge, 0], [huge, 0, huge]] {
            #expect(Shape.countIfRepresentable(shape) == 0)
            #expect(Shape.count(shape) == 0)
            _ = Shape.strides(shape)  // saturates instead of trapping
            #expect((try? Tensor<Double>(validating: shape, scalars: [], argument: "input")) != nil)
            let b = try Shape.broadcast([("input", shape), ("target", [5, 1, 1, 1])])
            #expect(b == [5] + shape)
            #expect(Shape.broadcastIndices(from: shape, to: b).isEmpty)
        }
        #expect(Shape.countIfRepresentable([huge, huge]) == nil)
        #expect(Shape.count([huge, huge]) == Int.max)
        // Non-empty shapes whose broadcast overflows are rejected, not trapped on.
        #expect(throws: LossError.self) {
            try Shape.broadcast([("input", [100_000, 1, 1, 1]), ("target", [1, 100_000, 1, 1]),
                                 ("weight", [1, 1, 100_000, 100_000])])
        }
    }
}
