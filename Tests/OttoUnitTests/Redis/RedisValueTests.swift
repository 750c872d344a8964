import OttoRedis
import OttoTasks
import Testing

@Suite("RedisValue and RedisScript")
struct RedisValueTests {
    @Test("string reads simple and UTF-8 bulk strings only")
    func stringView() {
        #expect(RedisValue.simpleString("OK").string == "OK")
        #expect(RedisValue.bulkString(Array("héllo".utf8)).string == "héllo")
        #expect(RedisValue.bulkString([0xFF, 0xFE]).string == nil)
        #expect(RedisValue.integer(1).string == nil)
        #expect(RedisValue.null.string == nil)
    }

    @Test("int reads integers and decimal strings")
    func intView() {
        #expect(RedisValue.integer(-42).int == -42)
        #expect(RedisValue.bulkString(Array("123".utf8)).int == 123)
        #expect(RedisValue.bulkString(Array("-7".utf8)).int == -7)
        #expect(RedisValue.simpleString("9").int == 9)
        #expect(RedisValue.bulkString(Array("1.5".utf8)).int == nil)
        #expect(RedisValue.bulkString(Array("-".utf8)).int == nil)
        #expect(RedisValue.bulkString(Array("99999999999999999999".utf8)).int == nil)
        #expect(RedisValue.null.int == nil)
    }

    @Test("array and isNull")
    func arrayAndNull() {
        #expect(RedisValue.array([.integer(1)]).array == [.integer(1)])
        #expect(RedisValue.integer(1).array == nil)
        #expect(RedisValue.null.isNull)
        #expect(!RedisValue.bulkString([]).isNull)
    }

    @Test("a script's SHA1 matches what Redis computes")
    func scriptDigest() {
        // `redis-cli SCRIPT LOAD "return 1"` prints this digest.
        #expect(RedisScript("return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }

    @Test("RedisError descriptions name the error kind but not the server's text")
    func errorDescription() {
        let error = RedisError(
            code: .server, serverMessage: "WRONGTYPE Operation against a key holding secret-value")
        #expect(error.serverErrorKind == "WRONGTYPE")
        #expect(error.description.contains("WRONGTYPE"))
        #expect(!error.description.contains("secret-value"))
        #expect(RedisError(code: .timeout).description.contains("timeout"))
    }
}
