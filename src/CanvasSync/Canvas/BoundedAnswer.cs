using System.IO.Compression;
using System.Text.Json;

namespace CanvasSync.Canvas;

/// <summary>
/// A Canvas answer read with a ceiling on what it may cost: the bytes on the wire and the bytes after decompression
/// are each counted as they stream, and the read stops at the first byte past <c>Canvas:MaxAnswerBytes</c>. The
/// client decompresses itself (the transport's automatic decompression is off) so that a small gzip answer that
/// inflates to gigabytes is stopped after the limit, not after the gigabytes. Any URL a user gives CanvasSync may
/// be a server they control, so nothing it sends may cost more than this.
/// </summary>
internal static class BoundedAnswer
{
    /// <summary>What the client accepts; each is decoded by <see cref="Decoded"/>.</summary>
    public const string AcceptEncoding = "gzip, deflate, br";

    /// <summary>Error answers are read for their message only: this much, the rest is left unread.</summary>
    public const int ErrorBodyBytes = 64 * 1024;

    /// <summary>
    /// A 200's JSON. The body is read into one array of its own (not a pooled one: a pool would keep a hostile
    /// answer's buffers for the life of the process), which the parsed document then reads in place.
    /// </summary>
    public static async Task<(JsonDocument Doc, long Bytes)> ParseJsonAsync(HttpContent content, long limit, string what,
        CancellationToken ct)
    {
        RefuseDeclaredLength(content, limit, what);
        await using var wire = new CountingStream(await content.ReadAsStreamAsync(ct), limit, what, "on the wire");
        await using var decoded = new CountingStream(Decoded(wire, content, what), limit, what, "decompressed");
        ReadOnlyMemory<byte> body;
        try
        {
            body = await ReadAllAsync(decoded, content.Headers.ContentLength, limit, ct);
        }
        catch (InvalidDataException e)
        {
            throw new CanvasTransientException("truncated", $"{what}: the compressed body is damaged", e);
        }

        try
        {
            return (JsonDocument.Parse(body), body.Length);
        }
        catch (JsonException e)
        {
            // A 200 whose body does not parse was cut short somewhere between Canvas and us.
            throw new CanvasTransientException("truncated", $"{what}: the body is not valid JSON ({body.Length} bytes): cut short on the way, or malformed", e);
        }
    }

    /// <summary>All of a counted stream, which stops past <paramref name="limit"/>: the array never grows beyond limit + 1.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadAllAsync(Stream stream, long? declared, long limit, CancellationToken ct)
    {
        // The declared length is only a first guess (it counts compressed bytes); it was checked against the limit.
        var buffer = new byte[(int)Math.Clamp(declared ?? 0, 16 * 1024, Math.Min(4 * 1024 * 1024, limit + 1))];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length) Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, limit + 1));
            var n = await stream.ReadAsync(buffer.AsMemory(length), ct);
            if (n == 0) return buffer.AsMemory(0, length);
            length += n;
        }
    }

    /// <summary>At most <paramref name="limit"/> bytes of an answer (an error's body); what follows is not read.</summary>
    public static async Task<byte[]> ReadPrefixAsync(HttpContent content, int limit, string what, CancellationToken ct)
    {
        await using var wire = await content.ReadAsStreamAsync(ct);
        await using var decoded = Decoded(wire, content, what);
        var buffer = new byte[limit];
        var read = 0;
        try
        {
            while (read < limit && await decoded.ReadAsync(buffer.AsMemory(read), ct) is var n and > 0) read += n;
        }
        catch (InvalidDataException)
        {
            // A damaged error page: what was read is all there is to show.
        }

        return buffer[..read];
    }

    private static void RefuseDeclaredLength(HttpContent content, long limit, string what)
    {
        if (content.Headers.ContentLength is { } length && length > limit)
            throw new CanvasAnswerTooLargeException($"{what}: the answer declares {length} bytes, over the limit of {limit} (Canvas:MaxAnswerBytes)");
    }

    private static Stream Decoded(Stream wire, HttpContent content, string what)
    {
        var encodings = content.Headers.ContentEncoding;
        if (encodings.Count > 1)
            throw new CanvasProtocolException($"{what}: the answer is encoded {encodings.Count} times ({string.Join(", ", encodings)}); Canvas encodes once at most");
        return encodings.FirstOrDefault()?.ToLowerInvariant() switch
        {
            null or "identity" => wire,
            "gzip" or "x-gzip" => new GZipStream(wire, CompressionMode.Decompress),
            "deflate" => new ZLibStream(wire, CompressionMode.Decompress),
            "br" => new BrotliStream(wire, CompressionMode.Decompress),
            var other => throw new CanvasProtocolException($"{what}: the answer is encoded as {other}, which CanvasSync did not ask for"),
        };
    }

    /// <summary>Counts what passes through and stops at the first byte past the limit.</summary>
    private sealed class CountingStream(Stream inner, long limit, string what, string where) : Stream
    {
        public long Count { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            // Never ask for more than one byte past the limit, so an endless answer is cut off right there.
            var room = (int)Math.Min(buffer.Length, limit - Count + 1);
            var n = await inner.ReadAsync(buffer[..room], cancellationToken);
            Count += n;
            if (Count > limit) throw new CanvasAnswerTooLargeException($"{what}: the answer is over {limit} bytes {where} (Canvas:MaxAnswerBytes); not read further");
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Count; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
