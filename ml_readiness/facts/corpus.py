"""The fast text search behind `Facts.python_files(mentions=..., pattern=...)`: the texts of a
group of files joined into one string, so a token or regex is searched at C speed across all of
them at once, with the literal prefixes of a regex used to skip files that cannot match.
"""

from __future__ import annotations

import bisect
import functools
import re
import re._constants as _sre
import re._parser as _sre_parser
from collections.abc import Iterator

_WORD_RUN = re.compile(r"\w+")
_WORD_BYTES = bytes(
    b if b >= 128 or chr(b).isascii() and (chr(b).isalnum() or b == ord("_")) else ord(" ")
    for b in range(256)
)
# Regex features that match differently at a file's edge inside the joined text.
_ANCHORED = re.compile(r"\^|\$|\\[AZbBG]|\(\?[<=!]|\(\?[a-zA-Z]*m")


class Corpus:
    """Texts of a group of files joined into one string, so a token is searched at C speed
    across all of them at once (`matching`), instead of once per file."""

    SEP = "\0"

    def __init__(self, indexes: list[int], texts: list[str | None]) -> None:
        self.indexes: list[int] = []
        self.starts: list[int] = []
        self.texts: list[str] | _Slices = []
        position = 0
        for index, text in zip(indexes, texts, strict=True):
            if text is None:
                continue
            self.indexes.append(index)
            self.starts.append(position)
            self.texts.append(text)
            position += len(text) + 1
        self.blob = self.SEP.join(self.texts)
        self._hits: dict[str | re.Pattern[str], set[int]] = {}
        self._slot_of: dict[int, int] | None = None
        self._lower: Corpus | None = None
        self._vocabulary: bytes | None = None
        self.unfoldable: set[int] = set()

    def matching(self, tokens: tuple[str, ...]) -> set[int]:
        """File indexes whose text contains any of `tokens`."""
        out: set[int] = set()
        for token in tokens:
            out |= self._token(token)
        return out

    def matching_pattern(self, rx: re.Pattern[str]) -> set[int]:
        """File indexes whose text matches `rx` (searched file by file: a regex could span
        the separator of the joined text)."""
        hits = self._hits.get(rx)
        if hits is not None:
            return hits
        required = _required_literals(rx.pattern, rx.flags)
        if required is not None:
            # every match contains one of these literals: find the files holding one at C
            # speed, then confirm the regex in each (a case-insensitive alternation is slow)
            literals, fold = required
            if fold:  # the lower-cased copy is not kept: few patterns ignore case
                folded = self._folded()
                candidates = folded.matching(literals) | folded.unfoldable
                self._lower = None
            else:
                candidates = self.matching(literals)
            slots = self._slots()
            search = rx.search
            hits = {i for i in candidates if search(self.texts[slots[i]])}
        elif _ANCHORED.search(rx.pattern):  # could behave differently in the joined text
            search = rx.search
            hits = {i for i, text in zip(self.indexes, self.texts, strict=True) if search(text)}
        else:
            # search the joined text; confirm each hit in its own file (a match could run over
            # a separator) and go on from the next file, so no file is ever missed
            hits = set()
            starts, search, count = self.starts, rx.search, len(self.starts)
            found = search(self.blob)
            while found is not None:
                slot = bisect.bisect_right(starts, found.start()) - 1
                if rx.search(self.texts[slot]):
                    hits.add(self.indexes[slot])
                if slot + 1 >= count:
                    break
                found = search(self.blob, starts[slot + 1])
        self._hits[rx] = hits
        return hits

    def _may_contain(self, token: str) -> bool:
        """False when a word of `token` is part of no word of any text. A token's words lie
        inside the texts' words wherever it occurs, so this is checked against the small
        vocabulary of the texts instead of scanning all of them (most tokens are absent)."""
        runs = _WORD_RUN.findall(token)
        if not runs:
            return True
        vocabulary = self.vocabulary()
        return all(r.encode("utf-8", "surrogatepass") in vocabulary for r in runs)

    def vocabulary(self) -> bytes:
        r"""The distinct words of the texts, space-separated: bytes that can belong to a `\w`
        run (ASCII word characters, any non-ASCII byte) are kept, the rest split words."""
        if self._vocabulary is None:
            words = self.blob.encode("utf-8", "surrogatepass").translate(_WORD_BYTES).split()
            self._vocabulary = b" ".join(set(words))
        return self._vocabulary

    def slots(self) -> dict[int, int]:
        """File index -> position in `texts` (the text of file `i` is `texts[slots()[i]]`)."""
        return self._slots()

    def _slots(self) -> dict[int, int]:
        """File index -> position in `texts`."""
        if self._slot_of is None:
            self._slot_of = {index: slot for slot, index in enumerate(self.indexes)}
        return self._slot_of

    def _folded(self) -> Corpus:
        """The ASCII texts lower-cased (where case-insensitive matching equals lower-casing);
        files with other characters are listed in `unfoldable` and always confirmed."""
        if self._lower is None and self.blob.isascii():  # the usual case: same offsets
            self._lower = Corpus([], [])
            self._lower.indexes, self._lower.starts = self.indexes, self.starts
            self._lower.blob = self.blob.lower()
            self._lower.texts = _Slices(self._lower.blob, self.starts)
            self._lower._vocabulary = self.vocabulary().lower()  # ASCII: the same words
        elif self._lower is None:
            ascii_ = [(i, t) for i, t in zip(self.indexes, self.texts, strict=True) if t.isascii()]
            self._lower = Corpus([i for i, _ in ascii_], [t.lower() for _, t in ascii_])
            self._lower.unfoldable = set(self.indexes) - set(self._lower.indexes)
        return self._lower

    def _token(self, token: str) -> set[int]:
        hits = self._hits.get(token)
        if hits is not None:
            return hits
        hits = set()
        if not self._may_contain(token):
            pass  # one of its words is in no file: no need to scan every text
        elif self.SEP in token or not token:
            # cannot search the joined text for it: ask each file
            hits = {i for i, text in zip(self.indexes, self.texts, strict=True) if token in text}
        else:
            starts, find = self.starts, self.blob.find
            count = len(starts)
            at = find(token)
            while at != -1:
                slot = bisect.bisect_right(starts, at) - 1
                hits.add(self.indexes[slot])
                if slot + 1 >= count:
                    break
                at = find(token, starts[slot + 1])
        self._hits[token] = hits
        return hits


class _Slices:
    """The texts of a joined blob, cut out on demand (a folded corpus keeps only its blob)."""

    def __init__(self, blob: str, starts: list[int]) -> None:
        self.blob, self.starts = blob, starts

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, slot: int) -> str:
        end = self.starts[slot + 1] - 1 if slot + 1 < len(self.starts) else len(self.blob)
        return self.blob[self.starts[slot] : end]

    def __iter__(self) -> Iterator[str]:
        return (self[slot] for slot in range(len(self.starts)))


@functools.lru_cache(maxsize=256)
def _required_literals(pattern: str, flags: int) -> tuple[tuple[str, ...], bool] | None:
    """Literals one of which every match of the regex contains, and whether they must be
    searched case-insensitively (then they are lower-case ASCII); None when unsure."""
    try:
        parsed = _sre_parser.parse(pattern, flags)
    except re.error:
        return None
    flags = parsed.state.flags
    if flags & (re.LOCALE | re.DEBUG):
        return None
    literals = _prefixes(list(parsed))
    if not literals or any(not lit for lit in literals):
        return None
    fold = bool(flags & re.IGNORECASE)
    if fold:
        if not all(lit.isascii() for lit in literals):
            return None
        literals = [lit.lower() for lit in literals]
    return tuple(dict.fromkeys(literals)), fold


def _prefixes(items: list) -> list[str] | None:
    """The literal text each way of matching `items` starts with (a sequence of parsed regex
    nodes): its leading literal characters, continued into a leading alternation."""
    prefix = ""
    for op, arg in items:
        if op is _sre.LITERAL:
            prefix += chr(arg)
            continue
        if op is _sre.AT:  # zero-width (`^`, `\b`): the literals around it are adjacent
            continue
        if op is _sre.BRANCH:
            ways = []
            for branch in arg[1]:
                tails = _prefixes(list(branch))
                if tails is None:
                    return [prefix] if prefix else None
                ways += [prefix + tail for tail in tails]
            return ways
        break
    return [prefix] if prefix else None
