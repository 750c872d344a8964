/// A logic-less HTML template in mustache's syntax, the subset the dashboard uses: `{{name}}`
/// and `{{.}}` (HTML-escaped text), `{{#name}}…{{/name}}` (a list repeats, a true or present
/// value renders once, false, nil, an empty list or empty text skip) and `{{^name}}…{{/name}}`
/// (the inverse). Names are looked up from the innermost section outwards, as in mustache, on a
/// value's stored properties (by reflection) or a `[String: Any]`'s keys. Nothing is ever
/// written unescaped.
///
/// Why not swift-mustache: it imports Foundation, which would link Foundation and its ICU into
/// otto-api (about 30 MB in the static binary), and `deploy/check-runtime-closure.sh` refuses
/// any binary that does. The templates keep mustache's syntax, so they move to swift-mustache
/// unchanged should it ever build on FoundationEssentials.
struct HTMLTemplate: Sendable {
    indirect enum Node: Sendable {
        case text(String)
        case variable(String)
        case section(String, inverted: Bool, [Node])
    }

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    let nodes: [Node]

    init(_ source: String) throws(ParseError) {
        var stack: [(name: String, inverted: Bool, nodes: [Node])] = [("", false, [])]
        var rest = Substring(source)
        while let open = rest.firstRange(of: "{{") {
            if open.lowerBound > rest.startIndex {
                stack[stack.count - 1].nodes.append(.text(String(rest[..<open.lowerBound])))
            }
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                throw ParseError(description: "a tag is not closed")
            }
            let tag = rest[open.upperBound..<close.lowerBound].trimmingSpaces()
            rest = rest[close.upperBound...]
            guard let first = tag.first else { throw ParseError(description: "an empty tag") }
            let name = String(tag.dropFirst()).trimmingSpaces()
            switch first {
            case "#", "^": stack.append((name, first == "^", []))
            case "/":
                guard stack.count > 1, let open = stack.popLast(), open.name == name else {
                    throw ParseError(description: "{{/\(name)}} closes no open section")
                }
                stack[stack.count - 1].nodes.append(.section(name, inverted: open.inverted, open.nodes))
            case "{", "&", "!", ">", "=":
                throw ParseError(description: "{{\(tag)}} is not supported (unescaped output, partials, comments)")
            default: stack[stack.count - 1].nodes.append(.variable(tag))
            }
        }
        if !rest.isEmpty { stack[stack.count - 1].nodes.append(.text(String(rest))) }
        guard stack.count == 1 else { throw ParseError(description: "{{#\(stack.last!.name)}} is not closed") }
        nodes = stack[0].nodes
    }

    func render(_ root: Any) -> String {
        var output = ""
        Self.render(nodes, stack: [root], into: &output)
        return output
    }

    private static func render(_ nodes: [Node], stack: [Any], into output: inout String) {
        for node in nodes {
            switch node {
            case .text(let text): output += text
            case .variable(let name):
                if let value = lookUp(name, in: stack) { output += escape(text(of: value)) }
            case .section(let name, let inverted, let children):
                let items = sectionItems(lookUp(name, in: stack))
                if inverted {
                    if items.isEmpty { render(children, stack: stack, into: &output) }
                } else {
                    for item in items { render(children, stack: stack + [item], into: &output) }
                }
            }
        }
    }

    /// What a section repeats over: a list's items, a present value once, nothing for false,
    /// nil, empty text or an empty list.
    private static func sectionItems(_ value: Any?) -> [Any] {
        guard let value else { return [] }
        if let flag = value as? Bool { return flag ? [flag] : [] }
        if let text = value as? String { return text.isEmpty ? [] : [text] }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .collection { return mirror.children.map(\.value) }
        return [value]
    }

    private static func lookUp(_ name: String, in stack: [Any]) -> Any? {
        if name == "." { return stack.last.flatMap(unwrap) }
        for context in stack.reversed() {
            if let dictionary = context as? [String: Any] {
                if let value = dictionary[name] { return unwrap(value) }
                continue
            }
            for child in Mirror(reflecting: context).children where child.label == name {
                return unwrap(child.value)
            }
        }
        return nil
    }

    /// `value` without its optional wrapping (nil for `.none`).
    private static func unwrap(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.flatMap { unwrap($0.value) }
    }

    private static func text(of value: Any) -> String {
        if let text = value as? String { return text }
        return String(describing: value)
    }

    /// `&`, `<`, `>`, `"` and `'` as entities.
    static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\n" }.reversed().drop { $0 == " " || $0 == "\n" }.reversed())
    }
}
