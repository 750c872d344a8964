import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// Small helpers for reading test responses.
enum Probe {
    static func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
    }

    static func bearer(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)"]
    }
}

extension HTTPField.Name {
    static let testOrigin = HTTPField.Name("Origin")!
}
