"""CSE616 Assignment 2: what solutions A and B claimed, each judged against the solution
of its question in the problem bank (``dlcalc.problems.cse616_a2``).

The given data and every computation live in the problem bank; a claim only reads its
answer off a question's ``solve()``.
"""

from __future__ import annotations

import functools

from dlcalc.problems import cse616_a2 as bank

from .claims import Claim, on_page, solution_of

PAGE = "cse616-assignment2"


@functools.cache
def solved(name: str):
    """The solution of the original question ``name`` (``"Q7"``), computed once."""
    return solution_of(getattr(bank, name))


def _hwc(shape):
    c, h, w = shape
    return (h, w, c)


_c = on_page(PAGE)


def _dropout(question: str, source: str, scheme: str, phase: str, claimed: str, *,
             reading: str, quote: str, cause: str = "") -> Claim:
    """A dropout factor as a source states it, in the source's reading of the letter p
    (``"keep"``: p is the keep probability; ``"drop"``: p is the drop probability)."""
    names = "keep_names" if reading == "keep" else "drop_names"
    what = (f"{scheme} dropout: factor {'on kept units in training' if phase == 'train' else 'at test time'}"
            f" (p = {'keep' if reading == 'keep' else 'drop'} probability)")
    return _c(question, source, what, claimed,
              lambda: getattr(solved("Q8"), names)[(scheme, phase)], cause, quote=quote)


CLAIMS: list[Claim] = [
    _c("A2-Q1", "a2-a", "weight matrix shape", (750_000, 100),
       lambda: solved("Q1").weight_shape, quote=r"weight matrix $\rightarrow 750000 \times 100$"),
    _c("A2-Q1", "a2-b", "weight matrix shape", (750_000, 100),
       lambda: solved("Q1").weight_shape, quote="Weight matrix has a shape of"),
    _c("A2-Q1", "a2-b", "weights (learnable parameters)", 75_000_000,
       lambda: solved("Q1").weights, quote="leading to **75 million learnable parameters**"),
    _c("A2-Q1", "a2-a", "bias entries", 100, lambda: solved("Q1").biases,
       quote=r"bias $\rightarrow 1 \times 100$"),
    _c("A2-Q1", "a2-b", "bias entries", 100, lambda: solved("Q1").biases,
       quote="Bias has a shape of 1 X 100 leading to 100 learnable parameters"),
    _c("A2-Q2", "a2-a", "parameters", 260, lambda: solved("Q2").total,
       "the filters were taken as 5×5 with no depth; each filter spans all 3 input channels",
       quote=r"no of parameters = $5 \times 5 \times 10 = 250 + 10 \text{ bias} = 260$"),
    _c("A2-Q2", "a2-b", "parameters", 760, lambda: solved("Q2").total,
       quote=r"Total layer parameters = 76 \* 10 = **760 learnable parameters**"),
    _c("A2-Q3", "a2-a", "vertical edge filter", [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
       lambda: solved("Q3").filters["vertical"],
       quote=r"first image \rightarrow vertical edge detection"),
    _c("A2-Q3", "a2-a", "horizontal edge filter", [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
       lambda: solved("Q3").filters["horizontal"],
       quote=r"second image \rightarrow horizontal edge detection"),
    _c("A2-Q3", "a2-b", "vertical edge filter", [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
       lambda: solved("Q3").filters["vertical"],
       quote="The image was generated using a filter to detect vertical edges"),
    _c("A2-Q3", "a2-b", "horizontal edge filter", [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
       lambda: solved("Q3").filters["horizontal"],
       quote="The image was generated using a filter to detect horizontal edges"),
    _c("A2-Q4", "a2-a", "what Adam divides by", "the sum of past squared gradients",
       lambda: solved("Q4").denominator,
       "that is AdaGrad's sum; Adam weights the squared gradient of k steps ago by "
       "(1 − β₂) β₂^k, an exponential moving average",
       quote="So, we divide at each step by the total of previous gradients."),
    _c("A2-Q4", "a2-a", "after many steps the average depends on", "old gradients",
       lambda: solved("Q4").dominated_by,
       "the answer says the average depends less on recent updates; the geometric weights "
       "make it depend mostly on them",
       quote="the exponential moving average depends less on recent updates"),
    _c("A2-Q4", "a2-a", "steps shrink as the number of steps grows", "yes",
       lambda: solved("Q4").steps_shrink,
       "true of AdaGrad, not of Adam: with a steady gradient Adam's step stays near the "
       "learning rate", quote="this means that the weight updates become smaller"),
    _c("A2-Q4", "a2-b", "after many steps the average depends on", "recent gradients",
       lambda: solved("Q4").dominated_by,
       quote="Adaptive gradient will be dominated by recent gradients"),
    _c("A2-Q4", "a2-b", "bias correction still needed after many steps", "no",
       lambda: solved("Q4").correction_needed_late,
       quote="Bias correction is not needed after too many training iterations"),
    _c("A2-Q5", "a2-a", "output equation", "y = (z − μ) / √σ²",
       lambda: solved("Q5").output_equation,
       "the learnable scale γ and shift β are missing (so the layer could not undo the "
       "normalisation), and so is ε (a feature constant over the batch divides by zero)",
       quote=r"$$z_i = \frac{z_i - \mu_z}{\sqrt{\sigma_z^2}}$$"),
    _c("A2-Q5", "a2-b", "output equation", bank.BN_OUTPUT,
       lambda: solved("Q5").output_equation,
       quote=r"$$y_i = \frac{z_i - \mu_z}{\sqrt{(\sigma_z^2 + \epsilon)}} \gamma + \beta$$"),
    _c("A2-Q6", "a2-a", "receptive field (side)", 5, lambda: solved("Q6").receptive_field.size,
       quote="The receptive field of every unit of The pooling layer is 5×5"),
    _c("A2-Q6", "a2-b", "receptive field (side)", 5, lambda: solved("Q6").receptive_field.size,
       quote="Receptive Field =  $5 \\times 5$"),
    _c("A2-Q6", "a2-b", "conv output (H × W × C)", (254, 254, 32),
       lambda: _hwc(solved("Q6").summary.rows[1].output_shape),
       "no padding was used, but the question says the conv keeps the input's size",
       quote="Conv2D, K=3, S=1, in_channels=3, out_channels=32"),
    _c("A2-Q6", "a2-b", "pool output (H × W × C)", (126, 126, 32),
       lambda: solved("Q6").pool_output,
       "no padding was used, but the question says the pool halves each side, which takes "
       "a padding of 1", quote="126 X 126 x 32"),
    _c("A2-Q7", "a2-a", "output block (D × H × W)", (128, 64, 64),
       lambda: solved("Q7").output_shape,
       quote=r"dimension of output $= 128 \times 64 \times 64$"),
    _c("A2-Q7", "a2-a", "(128 − 7 + 2 × 3) / 2 + 1, as written (no floor)", 64,
       lambda: solved("Q7").unfloored,
       "the floor is missing: without it the formula gives a non-integer; only the floor "
       "gives 64", quote=r"&= \frac{128 - 7 + 2 \times 3}{2} + 1 = 64"),
    _c("A2-Q7", "a2-b", "output block (D × H × W)", (128, 64, 64),
       lambda: solved("Q7").output_shape, quote="Output Shape = 128 x 64 x 64"),
    _dropout("A2-Q8", "a2-a", "vanilla", "test", "1/p", reading="drop",
             cause="with p the drop probability, as the answer reads it, vanilla dropout "
                   "multiplies by 1 − p at test time; 1/p is right in neither reading",
             quote="we have to scale the activations at test time with $(1/p)$"),
    _dropout("A2-Q8", "a2-a", "inverted", "train", "1/p", reading="drop",
             cause="with p the drop probability, as the answer reads it, the kept units are "
                   "divided by the keep probability 1 − p",
             quote="With inverted dropout, This scaling is done at training time"),
    _dropout("A2-Q8", "a2-b", "inverted", "train", "1/p", reading="keep",
             quote="dividing the activations of all unmasked activations by the dropout "
                   "probability (P)"),
    _c("A2-Q8", "a2-b", "inverted dropout: a kept unit grows in training", "yes",
       lambda: "yes" if solved("Q8").factors[("inverted", "train")] > 1 else "no",
       quote="multiplying unmasked activations by a factor greater than 1"),
    _dropout("A2-Q8", "a2-b", "inverted", "test", "none (×1)", reading="keep",
             quote="During testing time, the network is not changed"),
    _c("A2-Q9", "a2-a", "a fully connected layer ignores where pixels are", "yes",
       lambda: "yes" if solved("Q9").shuffle_error <= 1e-9 else "no",
       quote="flattening an image to feed into fully connected network may mess up "
             "positional data"),
    _c("A2-Q9", "a2-a", "a feature learnt at one place should serve at every place", "yes",
       lambda: "yes", judgement=True,
       quote="if the network learns a feature in some position of image it should be able "
             "to generalize the feature"),
    _c("A2-Q9", "a2-b", "a fully connected layer needs far more weights", "yes",
       lambda: "yes" if solved("Q9").fc_params > solved("Q9").conv_params else "no",
       quote="network will suffer from **overfitting due to model over parameterization**"),
    _c("A2-Q10", "a2-a", "padding", 1, lambda: solved("Q10").padding,
       quote=r"\therefore \text{Padding} = 1"),
    _c("A2-Q10", "a2-b", "padding", 1, lambda: solved("Q10").padding,
       quote="We will need to apply padding to the input (P=1)"),
    _c("A2-Q10", "a2-a", "output (padded cross-correlation)", [4, -7, -3, 5, -6],
       lambda: solved("Q10").correlation, quote="= (4, -7, -3, 5, -6)"),
    _c("A2-Q10", "a2-b", "output (padded cross-correlation)", [4, -7, -3, 1, -6],
       lambda: solved("Q10").correlation,
       "a slip in the fourth entry: (−1)(−2) + 3 · 1 = 5, not 1",
       quote="Output[3] = -1*-2+3*1= 1"),
    _c("A2-Q11", "a2-a", "the change at both epochs", "learning-rate drops",
       lambda: solved("Q11").explanation,
       quote="The learning rate is decreased (Learning Rate Decay)."),
    _c("A2-Q11", "a2-b", "the change at both epochs", "learning-rate drops",
       lambda: solved("Q11").explanation, quote="There was a drop in the learning rate"),
    _c("A2-Q12", "a2-a", "a conv layer needs fewer parameters", "yes",
       lambda: "yes" if solved("Q9").conv_params < solved("Q9").fc_params else "no",
       quote="less number of learnable parameters is needed to extract features"),
    _c("A2-Q12", "a2-b", "shared kernels make a conv layer shift-equivariant", "yes",
       lambda: solved("Q12").equivariant,
       quote="CNN has **translation equivariance** property"),
    _c("A2-Q12", "a2-b", "after pooling, a slight shift gives the same output", "yes",
       lambda: "yes" if solved("Q12").pooled_unchanged == 1.0 else "no",
       "pooling makes the output change less under a slight shift, not stay the same",
       quote="the same output will be generated without any more training loops"),
    _dropout("A2-Q13", "a2-a", "vanilla", "test", "1/p", reading="drop",
             cause="the answer turns units off with probability p; vanilla dropout then "
                   "multiplies by 1 − p at test time (by p in the question's reading)",
             quote="activations need to be scaled by factor of $(1/p)$"),
    _dropout("A2-Q13", "a2-b", "vanilla", "test", "p", reading="keep",
             quote="after multiplying these activations by (P) percentage"),
    _dropout("A2-Q13", "a2-b", "inverted", "train", "1/p", reading="keep",
             quote="the values of these unmasked activation is divided by (P)"),
    _dropout("A2-Q13", "a2-b", "inverted", "test", "none (×1)", reading="keep",
             quote="pass through the network without any manipulation"),
    _c("A2-Q14", "a2-a", "Nesterov overshoots less (L = x²)", "yes",
       lambda: solved("Q14").nesterov_overshoots_less,
       quote="this helps for smoother optimization"),
    _c("A2-Q14", "a2-b", "Nesterov converges sooner (L = x²)", "yes",
       lambda: solved("Q14").nesterov_faster,
       quote="hence will provide faster convergence for convex loss functions"),
    _c("A2-Q14", "a2-b", "Nesterov overshoots less (L = x²)", "yes",
       lambda: solved("Q14").nesterov_overshoots_less,
       quote="damp oscillations around the minimum"),
    _c("A2-Q15", "a2-a", "the effective rate never increases", "yes",
       lambda: solved("Q15").never_increases,
       quote=r"\eta_t = \frac{\eta}{\sqrt{\delta_t + \epsilon}}"),
    _c("A2-Q15", "a2-b", "the effective rate never increases", "yes",
       lambda: solved("Q15").never_increases, quote="Actual learning rate will be decaying"),
    _c("A2-Q15", "a2-b", "what grows and makes the rate decay",
       "the RMS of the previous gradients", lambda: solved("Q15").what_grows,
       "a root mean square stays level for a steady gradient; it is the root of the sum",
       quote="as the RMS of the previous gradients will keep growing"),
]
