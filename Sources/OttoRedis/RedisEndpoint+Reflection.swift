extension RedisEndpoint: CustomReflectable {
    /// `dump` and debuggers show the endpoint without its password.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port, "useTLS": useTLS, "username": username as Any,
                "password": password == nil ? "nil" : "<redacted>", "database": database, "tlsCAFile": tlsCAFile as Any,
            ], displayStyle: .struct)
    }
}
