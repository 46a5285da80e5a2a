#!/usr/bin/env python3
"""Differential test vectors for triage's phone and NPWP rules, from independent implementations.

Run from the repository root:

    python3 tools/vectors/make.py

It creates a virtual environment in /tmp/triage-vectors-venv (once), installs the pinned
versions of Google's libphonenumber port `phonenumbers` and `python-stdnum` into it, reruns
itself there, and writes

    tests/data/vectors/phones.csv  every 08xx prefix (0800-0899) x every national length 8-13
                                   (the candidate range of SPEC v2 section 5 short of 14 digits,
                                   whose `62...` form is a 16-digit NIK candidate; 9-12 is the
                                   valid range) x 3 deterministic fillers, each in the `0...`,
                                   `62...` and `+62...` forms, with libphonenumber's verdict
                                   (number_type == MOBILE, country code 62) and SPEC section 5's
                                   (national number matches 8[1-35-9]\\d{7,10});
    tests/data/vectors/npwp.csv    300 deterministic 8-digit NPWP heads, each with its right
                                   Luhn check digit (stdnum.luhn.calc_check_digit) and one wrong
                                   digit, with a 6-digit tail: the 15-digit form, its dotted
                                   written form and the 16-digit `0...` form, each with
                                   stdnum.id.npwp.is_valid's verdict.

The output depends only on this script and the pinned versions: rerunning it gives the same
files byte for byte. tests/vectors.rs checks triage against them. The forms on which
libphonenumber and the SPEC differ are listed (and explained) there, not skipped.
"""

import csv
import os
import re
import subprocess
import sys

VENV = "/tmp/triage-vectors-venv"
PINNED = ["phonenumbers==9.0.43", "python-stdnum==2.2"]
OUT = os.path.join("tests", "data", "vectors")

# SPEC v2 section 5: the national number of a valid Indonesian mobile number.
SPEC_MOBILE = re.compile(r"8[1-35-9]\d{7,10}")


def in_venv():
    """Rerun this script inside the venv, creating it and installing PINNED first if needed."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([py, "-m", "pip", "install", "-q", *PINNED], check=True)
    os.execv(py, [py, *sys.argv])


class Lcg:
    """A 64-bit linear congruential generator: digits that do not depend on Python's `random`."""

    def __init__(self, seed):
        self.state = seed

    def digit(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % 2**64
        return (self.state >> 33) % 10

    def digits(self, n):
        return "".join(str(self.digit()) for _ in range(n))


def libphonenumber_mobile(text):
    """libphonenumber's verdict on `text` as written: `0...` and `62...` are read with the
    default region ID (as a number found in Indonesian data), `+62...` on its own."""
    import phonenumbers as pn

    try:
        n = pn.parse(text, None if text.startswith("+") else "ID")
    except pn.NumberParseException:
        return "UNPARSED", False
    kind = pn.number_type(n)
    name = next(k for k, v in vars(pn.PhoneNumberType).items() if v == kind)
    return name, n.country_code == 62 and kind == pn.PhoneNumberType.MOBILE


def phones():
    rows = []
    for prefix in range(100):
        for length in range(8, 14):
            for filler in range(3):
                lcg = Lcg(prefix * 1000 + length * 10 + filler)
                national = "8%02d" % prefix + lcg.digits(length - 3)
                spec = bool(SPEC_MOBILE.fullmatch(national))
                for form in ("0", "62", "+62"):
                    text = form + national
                    lib_type, lib = libphonenumber_mobile(text)
                    rows.append([text, form, national, lib_type, int(lib), int(spec)])
    return ["text", "form", "national", "lib_type", "lib_mobile", "spec_mobile"], rows


def npwp():
    from stdnum import luhn
    from stdnum.id import npwp as stdnum_npwp

    rows = []
    lcg = Lcg(20240101)
    heads = ["00000000", "01312166", "99999999"] + [lcg.digits(8) for _ in range(297)]
    for head in heads:
        right = luhn.calc_check_digit(head)
        wrong = str((int(right) + 1 + lcg.digit() % 9) % 10)
        tail = lcg.digits(6)
        for check in (right, wrong):
            plain = head + check + tail
            dotted = "%s.%s.%s.%s-%s.%s" % (
                plain[:2], plain[2:5], plain[5:8], plain[8], plain[9:12], plain[12:])
            for written in (plain, dotted, "0" + plain):
                digits = re.sub(r"\D", "", written)
                rows.append([written, digits, int(stdnum_npwp.is_valid(written))])
    return ["written", "digits", "stdnum_valid"], rows


def write(name, header, rows, about):
    import phonenumbers
    import stdnum

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), "w", newline="") as f:
        f.write("# Written by tools/vectors/make.py (phonenumbers %s, python-stdnum %s): %s\n"
                % (phonenumbers.__version__, stdnum.__version__, about))
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print("wrote %s: %d rows" % (os.path.join(OUT, name), len(rows)))


def main():
    in_venv()
    header, rows = phones()
    write("phones.csv", header, rows,
          "libphonenumber's MOBILE verdict and SPEC section 5's on every 08xx x length 8-13")
    header, rows = npwp()
    write("npwp.csv", header, rows, "stdnum.id.npwp.is_valid on 15-, dotted and 16-digit NPWPs")


if __name__ == "__main__":
    main()
