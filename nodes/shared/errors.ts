import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

type OperationOptions = ConstructorParameters<typeof NodeOperationError>[2];
type ApiOptions = ConstructorParameters<typeof NodeApiError>[2];

// n8n replaces any error message that mentions a system code (ECONNREFUSED, ENOTFOUND, ...) with a
// generic one ("The service refused the connection - perhaps it is offline"). Ours say which side
// failed (often the service reporting on the user's image URL), so they are kept as written.

export function operationError(node: INode, message: string, options: OperationOptions = {}): NodeOperationError {
	const error = new NodeOperationError(node, message, options);
	error.message = message;
	return error;
}

/** An error about one task: it names the task, and continueOnFail items carry its id. */
export function taskError(node: INode, message: string, itemIndex: number, taskId?: string, description?: string): NodeOperationError {
	const error = operationError(node, message, { itemIndex, description: description ?? (taskId ? `Task ID: ${taskId}` : undefined) });
	if (taskId) error.context.taskId = taskId;
	return error;
}

export function apiError(node: INode, response: JsonObject, options: ApiOptions & { message: string }): NodeApiError {
	const error = new NodeApiError(node, response, options);
	error.message = options.message;
	return error;
}
