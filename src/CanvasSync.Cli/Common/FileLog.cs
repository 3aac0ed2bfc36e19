using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace CanvasSync.Cli.Common;

/// <summary>
/// The log of a command that prints its own screen (the demo): every line, at the configured levels, appended to a
/// file, so the terminal keeps the product's own words and the framework's lines are still there to read.
/// </summary>
internal sealed class FileLog : ILoggerProvider
{
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    public FileLog(string path)
    {
        var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        _writer = new StreamWriter(file, new UTF8Encoding(false)) { AutoFlush = true };
    }

    public ILogger CreateLogger(string categoryName) => new Writer(this, categoryName);

    public void Dispose()
    {
        lock (_gate) _writer.Dispose();
    }

    private void Write(string line)
    {
        lock (_gate) _writer.WriteLine(line);
    }

    private sealed class Writer(FileLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {logLevel,-11} {category}: {formatter(state, exception)}");
            log.Write(exception is null ? line : line + Environment.NewLine + exception);
        }
    }
}
