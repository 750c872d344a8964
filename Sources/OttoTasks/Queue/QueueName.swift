/// Queue names appear inside Redis keys and hash tags, so they are kept to a safe alphabet.
public enum QueueName {
    /// `[a-z0-9_-]{1,64}`.
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 45 }
    }
}
