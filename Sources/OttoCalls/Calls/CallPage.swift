/// One page of calls and the cursor of the next (nil on the last page).
public struct CallPage: Sendable {
    public var calls: [Call]
    public var nextCursor: String?
}
