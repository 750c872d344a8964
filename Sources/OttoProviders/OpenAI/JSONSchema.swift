/// The subset of JSON Schema that OpenAI's strict Structured Outputs accepts, as a value:
/// every object closed (`additionalProperties: false`) with every property required, which
/// strict mode demands and the encoding below always writes.
public indirect enum JSONSchema: Sendable, Equatable, Encodable {
    /// Properties in the order the model should write them.
    case object([Property], description: String? = nil)
    case string(description: String? = nil, oneOf: [String]? = nil)
    case integer(minimum: Int? = nil, maximum: Int? = nil, description: String? = nil)
    case array(of: JSONSchema, description: String? = nil)

    public struct Property: Sendable, Equatable {
        public var name: String
        public var schema: JSONSchema

        public init(_ name: String, _ schema: JSONSchema) {
            self.name = name
            self.schema = schema
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .object(let properties, let description):
            try container.encode("object", forKey: Key("type"))
            try container.encodeIfPresent(description, forKey: Key("description"))
            var nested = container.nestedContainer(keyedBy: Key.self, forKey: Key("properties"))
            for property in properties {
                try nested.encode(property.schema, forKey: Key(property.name))
            }
            try container.encode(properties.map(\.name), forKey: Key("required"))
            try container.encode(false, forKey: Key("additionalProperties"))
        case .string(let description, let values):
            try container.encode("string", forKey: Key("type"))
            try container.encodeIfPresent(description, forKey: Key("description"))
            try container.encodeIfPresent(values, forKey: Key("enum"))
        case .integer(let minimum, let maximum, let description):
            try container.encode("integer", forKey: Key("type"))
            try container.encodeIfPresent(description, forKey: Key("description"))
            try container.encodeIfPresent(minimum, forKey: Key("minimum"))
            try container.encodeIfPresent(maximum, forKey: Key("maximum"))
        case .array(let items, let description):
            try container.encode("array", forKey: Key("type"))
            try container.encodeIfPresent(description, forKey: Key("description"))
            try container.encode(items, forKey: Key("items"))
        }
    }
}
