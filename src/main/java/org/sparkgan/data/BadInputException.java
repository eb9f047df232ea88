package org.sparkgan.data;

/**
 * Input the user can fix (a malformed file, an unknown class, an existing output). Its message is the one line
 * the command prints; it is never wrapped in a stack trace for the user.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
