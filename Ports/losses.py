"""What every Python port shares about the PyTorch functions it mirrors (port protocol 1,
Ports/README.md): their tensor arguments, options and option types, which arguments have
gradients, and how the wire spells non-finite option values. Standard library only, so a port
imports it without pulling in another framework (`sys.path` gets this folder; see the ports).
"""

# The arguments PyTorch differentiates (Docs/Semantics.md#differentiability; mirrors LossKind.arguments);
# only floating-point ones get a gradient (a cross_entropy target of class indices does not).
DIFFERENTIABLE = {
    "l1_loss": ["input", "target", "weight"], "mse_loss": ["input", "target", "weight"],
    "huber_loss": ["input", "target", "weight"], "smooth_l1_loss": ["input", "target"],
    "cross_entropy": ["input", "target"], "nll_loss": ["input"],
    "poisson_nll_loss": ["input", "target"], "gaussian_nll_loss": ["input", "target", "var"],
    "kl_div": ["input", "target"], "binary_cross_entropy": ["input", "target"],
    "binary_cross_entropy_with_logits": ["input", "target"],
    "margin_ranking_loss": ["input1", "input2", "target"], "hinge_embedding_loss": ["input"],
    "multilabel_margin_loss": ["input"], "soft_margin_loss": ["input"],
    "multilabel_soft_margin_loss": ["input", "target", "weight"], "cosine_embedding_loss": ["input1", "input2"],
    "multi_margin_loss": ["input"], "triplet_margin_loss": ["anchor", "positive", "negative"],
    "triplet_margin_with_distance_loss": ["anchor", "positive", "negative"], "ctc_loss": ["log_probs"],
}

# Tensor arguments and options of each PyTorch function (unknown names are invalid_option).
SIGNATURE = {
    "l1_loss": (["input", "target", "weight"], ["reduction"]),
    "mse_loss": (["input", "target", "weight"], ["reduction"]),
    "huber_loss": (["input", "target", "weight"], ["reduction", "delta"]),
    "smooth_l1_loss": (["input", "target"], ["reduction", "beta"]),
    "cross_entropy": (["input", "target", "weight"], ["ignore_index", "reduction", "label_smoothing"]),
    "nll_loss": (["input", "target", "weight"], ["ignore_index", "reduction"]),
    "poisson_nll_loss": (["input", "target"], ["log_input", "full", "eps", "reduction"]),
    "gaussian_nll_loss": (["input", "target", "var"], ["full", "eps", "reduction"]),
    "kl_div": (["input", "target"], ["reduction", "log_target"]),
    "binary_cross_entropy": (["input", "target", "weight"], ["reduction"]),
    "binary_cross_entropy_with_logits": (["input", "target", "weight", "pos_weight"], ["reduction"]),
    "margin_ranking_loss": (["input1", "input2", "target"], ["margin", "reduction"]),
    "hinge_embedding_loss": (["input", "target"], ["margin", "reduction"]),
    "multilabel_margin_loss": (["input", "target"], ["reduction"]),
    "soft_margin_loss": (["input", "target"], ["reduction"]),
    "multilabel_soft_margin_loss": (["input", "target", "weight"], ["reduction"]),
    "cosine_embedding_loss": (["input1", "input2", "target"], ["margin", "reduction"]),
    "multi_margin_loss": (["input", "target", "weight"], ["p", "margin", "reduction"]),
    "triplet_margin_loss": (["anchor", "positive", "negative"], ["margin", "p", "eps", "swap", "reduction"]),
    "triplet_margin_with_distance_loss": (["anchor", "positive", "negative"],
                                          ["distance_function", "margin", "swap", "reduction"]),
    "ctc_loss": (["log_probs", "targets", "input_lengths", "target_lengths"], ["blank", "reduction", "zero_infinity"]),
}

# The Python type of every option (a value of another JSON type is a TypeError in PyTorch).
OPTION_TYPES = {"reduction": "str", "ignore_index": "int", "label_smoothing": "number", "delta": "number",
                "beta": "number", "eps": "number", "margin": "number", "p": "number", "log_input": "bool",
                "full": "bool", "log_target": "bool", "swap": "bool", "distance_function": "distance",
                "blank": "int", "zero_infinity": "bool"}

NON_FINITE = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}

# Tensors that hold integers (class indices); every other tensor must be floating point.
INTEGER_ROLES = {"nll_loss": {"target"}, "multi_margin_loss": {"target"}, "multilabel_margin_loss": {"target"}}


def wire_options(case, verbatim=("reduction", "distance_function")):
    """The case's options with the wire's "nan"/"inf"/"-inf" strings read as floats (JSON has no
    literal for them); string options in `verbatim` stay strings."""
    return {k: NON_FINITE.get(v, v) if isinstance(v, str) and k not in verbatim else v for k, v in case["options"].items()}


def option_problem(loss, options, inputs):
    """The TypeError PyTorch would raise for an option or tensor its function does not take, or an
    option value of the wrong Python type; None when all are acceptable."""
    roles, names = SIGNATURE[loss]
    for k in sorted(options):
        if k not in names:
            return f"{loss}() got an unexpected keyword argument {k!r}"
        v, kind = options[k], OPTION_TYPES[k]
        ok = {"str": isinstance(v, str), "bool": isinstance(v, bool),
              "int": isinstance(v, int) and not isinstance(v, bool),
              "number": isinstance(v, (int, float)) and not isinstance(v, bool),
              "distance": v is None or isinstance(v, str)}[kind]
        if not ok:
            return f"{loss}(): option {k} must be of type {kind}, got {v!r}"
    for r in inputs:
        if r not in roles and r != "grad_output":
            return f"{loss}() got an unexpected keyword argument {r!r}"
    return None
