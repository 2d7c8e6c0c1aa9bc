import Foundation
import LossSpec
import Reference

/// Turns recipes into golden cases with the Reference's expected outputs, gradients and scales.
package enum Generator {
    /// Bumped whenever the catalogue or the generation procedure changes what is written.
    package static let version = "1"
    /// The PyTorch semantics the vectors encode.
    package static let semantics = "torch 2.15"

    /// A recipe the Reference disagrees with: a bug in the catalogue or in the Reference.
    package struct RecipeFailure: Error, CustomStringConvertible {
        package var name: String
        package var reason: String
        package var description: String { "\(name): \(reason)" }
    }

    /// The seed of one case's inputs: a function of the run's seed and the case's name only, so
    /// adding or removing other cases never changes it.
    package static func caseSeed(_ seed: UInt64, name: String) -> UInt64 {
        var rng = SeededRNG(seed: seed ^ fnv1a(name))
        return rng.next() >> 1  // fits SQLite's signed INTEGER
    }

    /// All cases for `losses` (default: all 21), deterministically from `seed`; `include` selects
    /// recipes by name.
    package static func generate(seed: UInt64, losses: [LossKind] = LossKind.allCases,
                                include: (String) -> Bool = { _ in true }) throws -> [GoldenCase] {
        let recipes = losses.flatMap(Catalogue.recipes(for:)).filter { include($0.name) }
        // Cases are independent; parallelMap keeps input order, so the output never depends on
        // scheduling.
        let results = parallelMap(recipes) { recipe in Result { try build(recipe, seed: seed) } }
        var names = Set<String>()
        return try results.map { r in
            let c = try r.get()
            guard names.insert(c.name).inserted else {
                throw RecipeFailure(name: c.name, reason: "duplicate case name")
            }
            return c
        }
    }

    /// Builds one case: draws inputs, makes every option explicit, checks the expected error or
    /// evaluates, then draws grad_output in the output's shape and evaluates the gradients.
    package static func build(_ recipe: CaseRecipe, seed: UInt64) throws -> GoldenCase {
        let s = caseSeed(seed, name: recipe.name)
        var rng = SeededRNG(seed: s)
        var inputs = recipe.inputs(&rng)
        var options = LossOptions.defaults(for: recipe.loss).json(for: recipe.loss)
        options.merge(recipe.options) { _, given in given }
        if recipe.expectError == nil {
            // A valid case states every option in its canonical form.
            do {
                options = try LossOptions(kind: recipe.loss, json: options).json(for: recipe.loss)
            } catch {
                throw RecipeFailure(name: recipe.name, reason: "options do not decode: \(error)")
            }
        }
        var golden = GoldenCase(name: recipe.name, loss: recipe.loss.rawValue, options: options,
                                family: recipe.family, seed: recipe.isRandom ? Int64(s) : nil,
                                expectError: recipe.expectError, note: recipe.note, inputs: inputs,
                                deviation: recipe.deviation)
        let forward = LossCase(loss: recipe.loss, options: options, inputs: inputs)
        if let expected = recipe.expectError {
            do {
                _ = try Reference.evaluate(forward)
                throw RecipeFailure(name: recipe.name, reason: "expected \(expected.rawValue), but the Reference evaluated it")
            } catch let e as LossError {
                guard e.kind == expected else {
                    throw RecipeFailure(name: recipe.name, reason: "expected \(expected.rawValue), the Reference raised \(e)")
                }
            }
            return golden
        }
        let first: LossResult
        do {
            first = try Reference.evaluate(forward)
        } catch {
            throw RecipeFailure(name: recipe.name, reason: "the Reference raised \(error)")
        }
        guard let output = first.output else {
            throw RecipeFailure(name: recipe.name, reason: "the Reference returned no output")
        }
        // Random, not all ones, so a port that ignores grad_output or mixes up elements fails.
        inputs["grad_output"] = rng.tensor(output.shape) { r in
            Double(Float(r.uniform(0.5, 2) * (r.bool(0.2) ? -1 : 1)))
        }
        golden.inputs = inputs
        let full = try Reference.evaluate(LossCase(loss: recipe.loss, options: options, inputs: inputs))
        golden.expected = full.outputs
        golden.scales = full.scales
        return golden
    }

    /// The meta rows the generator writes beside format/format_version/content_sha256.
    package static func meta(seed: UInt64) -> [String: String] {
        ["generator_version": version, "seed": String(seed), "semantics": semantics,
         "generator": "lossbench generate"]
    }
}
