import HTTPTypes
import OpenAPIRuntime
import OttoCore
import OttoProcessKit
import OttoTasks

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The body bounds of `POST /v1/calls/{id}/reprocess`, checked on the raw bytes before the
/// generated code decodes them: at most 16 KiB (413), and empty or a JSON object whose
/// `reason`, when present, is a string of at most 500 characters without control characters
/// (400), and whose `from_step`, when present, is one of the workflow's steps (400, `null`
/// included). An empty body reaches the generated code as no body, so it means "no reason".
struct ReprocessBodyMiddleware: ServerMiddleware {
    static let operationID = Operations.ReprocessCall.id
    /// The largest reprocess body read.
    static let maximumBytes = 16_384
    /// The longest reprocess reason kept (it travels in the task's arguments and its log line).
    static let maximumReasonLength = 500

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard operationID == Self.operationID else { return try await next(request, body, metadata) }
        var bytes: [UInt8] = []
        if let body {
            do {
                bytes = try await [UInt8](collecting: body, upTo: Self.maximumBytes)
            } catch {
                throw Problem(.contentTooLarge, detail: "The body is larger than \(Self.maximumBytes) bytes.")
            }
        }
        guard !bytes.isEmpty else { return try await next(request, nil, metadata) }
        _ = try Self.reason(bytes)
        try Self.checkFromStep(bytes)
        return try await next(request, HTTPBody(bytes), metadata)
    }

    /// `from_step`, when present, is one of the document's steps: a JSON `null` too is refused
    /// (the generated decoding would read it as absent, and re-run the whole workflow).
    static func checkFromStep(_ body: [UInt8]) throws {
        guard case .object(let object)? = JSONValue.parse(body),
            let value = object["from_step"]
        else { return }
        let steps = Components.Schemas.ReprocessRequest.FromStepPayload.allCases.map(\.rawValue)
        guard case .string(let step) = value, steps.contains(step) else {
            throw Problem(.badRequest, detail: "from_step must be one of \(steps.joined(separator: ", ")).")
        }
    }

    /// The optional `reason` of a reprocess body (nil when the body or the field is absent).
    static func reason(_ body: [UInt8]) throws -> String? {
        guard !body.isEmpty else { return nil }
        guard case .object(let object)? = JSONValue.parse(body) else {
            throw Problem(.badRequest, detail: "The body must be a JSON object such as {\"reason\": \"…\"}.")
        }
        switch object["reason"] {
        case nil:
            return nil
        case .string(let text)?
        where text.count <= maximumReasonLength
            && !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }):
            return text
        default:
            throw Problem(
                .badRequest,
                detail:
                    "reason must be a string of at most \(maximumReasonLength) characters without control characters.")
        }
    }
}
