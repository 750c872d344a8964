/// The exit statuses of Otto's binaries (sysexits.h), shared by otto-api, otto-worker and otto-beat.
public enum ExitStatus {
    /// EX_CONFIG: the process refuses its configuration (every problem is on stderr).
    public static let configuration: Int32 = 78
    /// EX_UNAVAILABLE: a dependency did not answer (`check-config --connect`, the operator tools).
    public static let unavailable: Int32 = 69
}
