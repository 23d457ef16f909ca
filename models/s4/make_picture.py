#!/usr/bin/env python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Draws evsnn's own S4 target picture, models/s4_picture.pbm (doc/validation.md S4):
the words SUPER / SPIKE in a 5x7 pixel font, each font pixel a block of
6 columns x 12 rows, on a 200-row x 189-column canvas (200 output neurons,
189 bins of 10 ms = the 1.89 s trial). Black covers about 30 % of the
pixels, so the target's mean rate is about 30 Hz (one spike per black
pixel per 10 ms bin). Writes a raw PBM (P4).

    python3 make_picture.py [OUT.pbm]
"""
import sys

FONT = {  # 5x7, '#' = black
    "S": [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
    "U": ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
    "P": ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
    "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
    "R": ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
    "I": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "#####"],
    "K": ["#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"],
}
ROWS, COLS = 200, 189
SX, SY = 6, 12            # block size of one font pixel: columns, rows
GAP = 1                   # font pixels between letters


def draw(canvas, word, top):
    width = len(word) * (5 + GAP) - GAP
    left = (COLS - width * SX) // 2
    for n, ch in enumerate(word):
        for fy, line in enumerate(FONT[ch]):
            for fx, px in enumerate(line):
                if px != "#":
                    continue
                x0 = left + (n * (5 + GAP) + fx) * SX
                y0 = top + fy * SY
                for y in range(y0, y0 + SY):
                    for x in range(x0, x0 + SX):
                        canvas[y][x] = 1


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "s4_picture.pbm"
    canvas = [[0] * COLS for _ in range(ROWS)]
    line_h = 7 * SY
    top = (ROWS - 2 * line_h - 16) // 2
    draw(canvas, "SUPER", top)
    draw(canvas, "SPIKE", top + line_h + 16)
    with open(out, "wb") as f:
        f.write(b"P4\n# evsnn S4 target picture (models/s4/make_picture.py)\n")
        f.write(b"%d %d\n" % (COLS, ROWS))
        for row in canvas:
            bits = row + [0] * (-len(row) % 8)
            f.write(bytes(int("".join(map(str, bits[i:i + 8])), 2)
                          for i in range(0, len(bits), 8)))
    black = sum(map(sum, canvas))
    print(f"{out}: {COLS} x {ROWS}, {black / (ROWS * COLS):.1%} black")


if __name__ == "__main__":
    main()
