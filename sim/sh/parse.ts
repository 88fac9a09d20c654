// A POSIX sh subset, enough to interpret an SSH exec request the way a host's shell would:
// quotes, backslashes, $VAR, $(…) and `…`, pipelines, ; && || and simple redirections.
// No globbing, functions, loops or here-documents: a command using them fails loudly.

export type WordPart =
  | { kind: "text"; text: string; quoted: boolean }
  | { kind: "var"; name: string; quoted: boolean }
  | { kind: "subst"; script: Script; quoted: boolean };
export type Word = WordPart[];
export interface Redirect {
  fd: number;
  op: ">" | ">>" | "<" | ">&";
  target: Word;
}
export interface SimpleCommand {
  words: Word[];
  redirects: Redirect[];
}
export interface Pipeline {
  commands: SimpleCommand[];
}
export interface AndOr {
  first: Pipeline;
  rest: { op: "&&" | "||"; pipeline: Pipeline }[];
}
export type Script = AndOr[];

export class ShellSyntaxError extends Error {}

const META = new Set([";", "&", "|", "<", ">", "(", ")", "\n"]);
const isBlank = (c: string) => c === " " || c === "\t";

class Parser {
  pos = 0;
  constructor(
    private readonly src: string,
    private readonly closer: string | null = null,
  ) {}

  private peek(n = 0) {
    return this.src[this.pos + n] ?? "";
  }
  private atEnd() {
    return this.pos >= this.src.length;
  }

  private skipBlanks() {
    for (;;) {
      const c = this.peek();
      if (isBlank(c)) this.pos++;
      else if (c === "\\" && this.peek(1) === "\n") this.pos += 2;
      else if (c === "#") {
        while (!this.atEnd() && this.peek() !== "\n") this.pos++;
      } else return;
    }
  }

  parseScript(): Script {
    const script: Script = [];
    for (;;) {
      this.skipBlanks();
      while (this.peek() === "\n") {
        this.pos++;
        this.skipBlanks();
      }
      if (this.atEnd() || (this.closer && this.peek() === this.closer)) return script;
      if (this.peek() === ";" || this.peek() === "&") {
        const tok = this.peek(1) === this.peek() ? this.peek().repeat(2) : this.peek();
        throw new ShellSyntaxError(`syntax error near unexpected token \`${tok}'`);
      }
      script.push(this.parseAndOr());
      this.skipBlanks();
      const c = this.peek();
      if (c === ";" || c === "\n" || c === "&") {
        this.pos++;
        continue;
      }
      if (this.atEnd() || (this.closer && c === this.closer)) return script;
      throw new ShellSyntaxError(`syntax error near unexpected token \`${c}'`);
    }
  }

  private parseAndOr(): AndOr {
    const first = this.parsePipeline();
    const rest: AndOr["rest"] = [];
    for (;;) {
      this.skipBlanks();
      const two = this.peek() + this.peek(1);
      if (two !== "&&" && two !== "||") return { first, rest };
      this.pos += 2;
      this.skipBlanks();
      while (this.peek() === "\n") {
        this.pos++;
        this.skipBlanks();
      }
      rest.push({ op: two, pipeline: this.parsePipeline() });
    }
  }

  private parsePipeline(): Pipeline {
    const commands = [this.parseCommand()];
    for (;;) {
      this.skipBlanks();
      if (this.peek() !== "|" || this.peek(1) === "|") return { commands };
      this.pos++;
      this.skipBlanks();
      while (this.peek() === "\n") {
        this.pos++;
        this.skipBlanks();
      }
      commands.push(this.parseCommand());
    }
  }

  private parseCommand(): SimpleCommand {
    const cmd: SimpleCommand = { words: [], redirects: [] };
    for (;;) {
      this.skipBlanks();
      const c = this.peek();
      if (this.atEnd() || (this.closer && c === this.closer)) break;
      if (c === "(" || c === ")") throw new ShellSyntaxError(`syntax error near unexpected token \`${c}'`);
      const redirect = this.tryRedirect();
      if (redirect) {
        cmd.redirects.push(redirect);
        continue;
      }
      if (META.has(c)) break;
      cmd.words.push(this.parseWord());
    }
    if (cmd.words.length === 0 && cmd.redirects.length === 0) {
      const c = this.atEnd() ? "newline" : this.peek();
      throw new ShellSyntaxError(`syntax error near unexpected token \`${c}'`);
    }
    return cmd;
  }

  private tryRedirect(): Redirect | null {
    const m = /^(\d?)(>>|>&|>|<)/.exec(this.src.slice(this.pos, this.pos + 3));
    if (!m) return null;
    this.pos += m[0].length;
    const op = m[2] as Redirect["op"];
    const fd = m[1] ? Number(m[1]) : op === "<" ? 0 : 1;
    this.skipBlanks();
    if (this.atEnd() || META.has(this.peek()))
      throw new ShellSyntaxError("syntax error near unexpected token `newline'");
    return { fd, op, target: this.parseWord() };
  }

  private parseWord(): Word {
    const parts: Word = [];
    let text = "";
    const flush = () => {
      if (text) parts.push({ kind: "text", text, quoted: false });
      text = "";
    };
    while (!this.atEnd()) {
      const c = this.peek();
      if (isBlank(c) || META.has(c) || (this.closer && c === this.closer)) break;
      if (c === "\\") {
        this.pos++;
        const next = this.peek();
        this.pos++;
        if (next === "\n") continue;
        flush();
        parts.push({ kind: "text", text: next, quoted: true });
      } else if (c === "'") {
        const end = this.src.indexOf("'", this.pos + 1);
        if (end < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `''");
        flush();
        parts.push({ kind: "text", text: this.src.slice(this.pos + 1, end), quoted: true });
        this.pos = end + 1;
      } else if (c === '"') {
        flush();
        this.pos++;
        parts.push(...this.parseDoubleQuoted());
      } else if (c === "$" || c === "`") {
        const part = this.parseDollarOrBackquote(false);
        if (part) {
          flush();
          parts.push(part);
        } else {
          text += c;
          this.pos++;
        }
      } else if (c === "~" && parts.length === 0 && text === "") {
        this.pos++;
        parts.push({ kind: "var", name: "HOME", quoted: true });
      } else {
        text += c;
        this.pos++;
      }
    }
    flush();
    return parts;
  }

  private parseDoubleQuoted(): Word {
    const parts: Word = [];
    let text = "";
    const flush = () => {
      parts.push({ kind: "text", text, quoted: true });
      text = "";
    };
    for (;;) {
      if (this.atEnd()) throw new ShellSyntaxError("unexpected EOF while looking for matching `\"'");
      const c = this.peek();
      if (c === '"') {
        this.pos++;
        flush();
        return parts;
      }
      if (c === "\\" && '$`"\\\n'.includes(this.peek(1))) {
        if (this.peek(1) !== "\n") text += this.peek(1);
        this.pos += 2;
      } else if (c === "$" || c === "`") {
        const part = this.parseDollarOrBackquote(true);
        if (part) {
          flush();
          parts.push(part);
        } else {
          text += c;
          this.pos++;
        }
      } else {
        text += c;
        this.pos++;
      }
    }
  }

  private parseDollarOrBackquote(quoted: boolean): WordPart | null {
    if (this.peek() === "`") {
      // Inside backquotes a backslash only escapes $ ` and \ (POSIX); unescape, then parse.
      let body = "";
      this.pos++;
      for (;;) {
        if (this.atEnd()) throw new ShellSyntaxError("unexpected EOF while looking for matching ``'");
        const c = this.peek();
        if (c === "`") {
          this.pos++;
          break;
        }
        if (c === "\\" && "$`\\".includes(this.peek(1))) {
          body += this.peek(1);
          this.pos += 2;
          continue;
        }
        body += c;
        this.pos++;
      }
      return { kind: "subst", script: parseScript(body), quoted };
    }
    const next = this.peek(1);
    if (next === "(") {
      if (this.peek(2) === "(") throw new ShellSyntaxError("arithmetic expansion is not supported");
      this.pos += 2;
      const inner = new Parser(this.src, ")");
      inner.pos = this.pos;
      const script = inner.parseScript();
      if (inner.peek() !== ")") throw new ShellSyntaxError("unexpected EOF while looking for matching `)'");
      this.pos = inner.pos + 1;
      return { kind: "subst", script, quoted };
    }
    if (next === "{") {
      const end = this.src.indexOf("}", this.pos);
      if (end < 0) throw new ShellSyntaxError("bad substitution");
      const name = this.src.slice(this.pos + 2, end);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$|^[0-9?#$!@*-]$/.test(name))
        throw new ShellSyntaxError(`\${${name}}: bad substitution`);
      this.pos = end + 1;
      return { kind: "var", name, quoted };
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*|^[0-9?#$!@*-]/.exec(this.src.slice(this.pos + 1));
    if (!m) return null;
    this.pos += 1 + m[0].length;
    return { kind: "var", name: m[0], quoted };
  }
}

export function parseScript(src: string): Script {
  return new Parser(src).parseScript();
}
