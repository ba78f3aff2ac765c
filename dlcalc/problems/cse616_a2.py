"""CSE616 "Neural Networks and Their Applications", Assignment 2 (Ain Shams University,
Spring 2022): the given data of each question and its worked computation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

import dlcalc as dc

from ._base import Answer, Problem, check_int


class FilterBankOutput(NamedTuple):
    """What A2-Q7's solution computes."""

    steps: str                            # the size formula with the numbers in, LaTeX
    output_shape: tuple[int, int, int]    # (D, H, W)
    exact: bool                           # whether (H + 2P - K) / S divides exactly


@dataclass(frozen=True)
class FilterBank(Problem):
    """A2-Q7: the output block of a bank of ``filters`` filters on a C×H×W input."""

    qid = "A2-Q7"
    title = "the output block of a filter bank"

    channels: int = 96
    height: int = 128
    width: int = 128
    filters: int = 128
    kernel: int = 7
    stride: int = 2
    padding: int = 3

    def validate(self) -> None:
        for name in ("channels", "height", "width", "filters", "kernel", "stride"):
            check_int(self, name, low=1)
        check_int(self, "padding", low=0)
        if self.kernel > min(self.height, self.width) + 2 * self.padding:
            raise ValueError(f"FilterBank.kernel must fit the padded input, got {self.kernel} "
                             f"on {self.height}×{self.width} with padding {self.padding}")

    def solve(self) -> FilterBankOutput:
        shape = dc.conv_output_shape((self.channels, self.height, self.width),
                                     out_channels=self.filters, kernel=self.kernel,
                                     stride=self.stride, padding=self.padding)
        steps = dc.conv_output_size_latex(self.height, self.kernel, stride=self.stride,
                                          padding=self.padding)
        exact = (self.height + 2 * self.padding - self.kernel) % self.stride == 0
        return FilterBankOutput(steps, shape, exact)

    def answers(self, solution: FilterBankOutput) -> tuple[Answer, ...]:
        return (Answer("output_shape", "Output block (D × H × W)", solution.output_shape,
                       "shape"),)

    @classmethod
    def generate(cls, rng: np.random.Generator) -> FilterBank:
        kernel = int(rng.choice([3, 5, 7, 11]))
        stride = int(rng.choice([1, 2, 2, 4]))
        padding = int(rng.integers(0, kernel // 2 + 1))
        size = int(rng.choice([32, 56, 64, 96, 112, 128, 224, 227]))
        return cls(channels=int(rng.choice([3, 16, 32, 64, 96, 128])), height=size, width=size,
                   filters=int(rng.choice([16, 32, 64, 128, 256])), kernel=kernel,
                   stride=stride, padding=padding)


Q7 = FilterBank()

#: The questions of this set, in the order of the assignment.
PROBLEMS: tuple[Problem, ...] = (Q7,)
