/// The validated layout of one `ctc_loss` call (Docs/Losses/ctc_loss.md): sizes, per-element input lengths and
/// labels, checked in ATen's order. Shared by the Reference and Fast so both raise the same error
/// kind for every input; no arithmetic on log-probabilities here.
package struct CTCLayout: Sendable {
    package let time: Int, batch: Int, classes: Int, blank: Int
    /// T_b for every batch element, in [0, T].
    package let inputLengths: [Int]
    /// The labels of every batch element (its first L_b targets), each in [0, C) and ≠ blank.
    package let labels: [[Int]]

    /// Validates the arguments of `ctc_loss(log_probs, targets, input_lengths, target_lengths, blank)`.
    ///
    /// - Throws, in ATen's order: `empty_input` when log_probs has no element; `shape_mismatch` when
    ///   log_probs is not 2-/3-D, targets not 1-/2-D, or padded targets' first size is not N;
    ///   `invalid_option` when blank ∉ [0, C); `invalid_length` for lengths with numel ≠ N, a negative
    ///   target length, concatenated numel ≠ Σ L_b (or a sum that overflows), padded S < max L_b, an
    ///   input length ∉ [0, T]; `target_out_of_range` for a label outside [0, C) or equal to blank
    ///   (a deviation: ATen does not validate labels).
    package init(logProbsShape: [Int], targets: Tensor<Int64>, inputLengths: Tensor<Int64>,
                targetLengths: Tensor<Int64>, blank: Int) throws {
        guard Shape.count(logProbsShape) != 0 else {
            throw LossError(.emptyInput, argument: "log_probs",
                            "log_probs tensor must not be empty; got shape \(logProbsShape), T, N and C must be positive")
        }
        guard logProbsShape.count == 2 || logProbsShape.count == 3 else {
            throw LossError(.shapeMismatch, argument: "log_probs",
                            "expected (T, N, C) or unbatched (T, C), got shape \(logProbsShape)")
        }
        guard targets.rank == 1 || targets.rank == 2 else {
            throw LossError(.shapeMismatch, argument: "targets",
                            "expected 1 to 2 dimensions (concatenated or padded (N, S)), got shape \(targets.shape)")
        }
        let time = logProbsShape[0]
        let batch = logProbsShape.count == 3 ? logProbsShape[1] : 1
        let classes = logProbsShape[logProbsShape.count - 1]
        guard blank >= 0 && blank < classes else {
            throw LossError(.invalidOption, argument: "blank", "blank must be in label range [0, \(classes)), got \(blank)")
        }
        for (name, lengths) in [("input_lengths", inputLengths), ("target_lengths", targetLengths)]
        where lengths.count != batch {
            throw LossError(.invalidLength, argument: name,
                            "\(name) must be of size batch_size (\(batch)), got \(lengths.count) values")
        }
        for (b, l) in targetLengths.scalars.enumerated() where l < 0 {
            throw LossError(.invalidLength, argument: "target_lengths",
                            "expected target_lengths to have value at least 0, but got value \(l) at \(b)")
        }
        let lengths = targetLengths.scalars.map { Int($0) }
        var starts = [Int](repeating: 0, count: batch)
        if targets.rank == 1 {
            var position = 0
            for b in 0..<batch {
                starts[b] = position
                let (sum, overflow) = position.addingReportingOverflow(lengths[b])
                guard !overflow else {
                    throw LossError(.invalidLength, argument: "target_lengths", "the target lengths' sum overflows")
                }
                position = sum
            }
            guard targets.count == position else {
                throw LossError(.invalidLength, argument: "targets",
                                "concatenated targets must hold sum(target_lengths) = \(position) labels, got \(targets.count)")
            }
        } else {
            guard targets.shape[0] == batch else {
                throw LossError(.shapeMismatch, argument: "targets",
                                "padded targets must have batch size \(batch) at dimension 0, got shape \(targets.shape)")
            }
            let width = targets.shape[1]
            let longest = lengths.max() ?? 0
            guard width >= longest else {
                throw LossError(.invalidLength, argument: "targets",
                                "padded targets need size at least \(longest) (the longest target) at dimension 1, got \(width)")
            }
            starts = (0..<batch).map { $0 * width }
        }
        for (b, l) in inputLengths.scalars.enumerated() where l < 0 || l > Int64(time) {
            throw LossError(.invalidLength, argument: "input_lengths",
                            "input_lengths must lie in [0, T = \(time)], got \(l) at \(b)")
        }
        var labels: [[Int]] = []
        for b in 0..<batch {
            let row = targets.scalars[starts[b]..<(starts[b] + lengths[b])]
            for (i, v) in row.enumerated() where v < 0 || v >= Int64(classes) || v == Int64(blank) {
                throw LossError(.targetOutOfRange, argument: "targets",
                                "label \(v) of target \(b) at position \(i) must lie in [0, \(classes)) and differ from blank = \(blank)")
            }
            labels.append(row.map { Int($0) })
        }
        self.time = time
        self.batch = batch
        self.classes = classes
        self.blank = blank
        self.inputLengths = inputLengths.scalars.map { Int($0) }
        self.labels = labels
    }
}
