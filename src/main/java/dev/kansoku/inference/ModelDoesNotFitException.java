package dev.kansoku.inference;

/** The devices given to a task cannot hold a model's weights, even split by layers; the message gives the bytes needed and offered. */
public class ModelDoesNotFitException extends RuntimeException {
  public ModelDoesNotFitException(String message) {
    super(message);
  }
}
