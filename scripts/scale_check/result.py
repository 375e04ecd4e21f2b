"""One check's outcome: every expectation it made, passed or not, printed as one PASS/FAIL block."""

from dataclasses import dataclass, field


@dataclass
class Result:
    title: str
    lines: list = field(default_factory=list)  # (passed, text)
    notes: list = field(default_factory=list)  # figures, printed as they are
    failed: bool = False

    def expect(self, condition: bool, text: str) -> bool:
        self.lines.append((bool(condition), text))
        self.failed |= not condition
        return bool(condition)

    def fail(self, text: str) -> "Result":
        self.expect(False, text)
        return self

    def note(self, text: str) -> None:
        self.notes.append(text)

    @property
    def passed(self) -> bool:
        return not self.failed and bool(self.lines)

    def render(self) -> str:
        out = [f"{'PASS' if self.passed else 'FAIL'}  {self.title}"]
        out += [f"      {'ok ' if ok else 'KO '} {text}" for ok, text in self.lines]
        out += [f"      ·   {text}" for text in self.notes]
        return "\n".join(out)
