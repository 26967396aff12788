import { InvalidInputError } from '../../errors';
import { exampleSize, type Dataset } from '../data';
import type { NeuralModel } from './model';

/** Throws if the model cannot take the data set's examples or classes; names the field. */
export function checkCompatible(model: NeuralModel, dataset: Dataset): void {
  const shape = dataset.shape;
  if (model.inputShape) {
    if (model.inputShape.some((v, i) => v !== shape[i])) {
      throw new InvalidInputError('model.input', `model expects [${model.inputShape}], data set ${dataset.name} has [${shape}]`);
    }
  } else if (model.inputSize !== exampleSize(dataset)) {
    throw new InvalidInputError('model.widths[0]', `model expects ${model.inputSize} inputs, data set ${dataset.name} has ${exampleSize(dataset)} ([${shape}])`);
  }
  if (model.classes !== dataset.classes) {
    throw new InvalidInputError('model.classes', `model has ${model.classes} outputs, data set ${dataset.name} has ${dataset.classes} classes`);
  }
}
